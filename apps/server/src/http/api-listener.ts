import type { RootLogger } from "@autostun/runtime";
import type { ApiService, ServiceLookup } from "../tokens.js";
import { type RunningHttp, splitHostPort, startHttp } from "./server.js";

export interface ApiListenerOptions {
  /** `api.listen`: "host:port", IPv6 in brackets; port 0 picks a free one. */
  listen: string;
  token: string;
  /** `<dataDir>/api-token` when the token came from there. */
  tokenFile: string | undefined;
  allowedOrigins: readonly string[];
  services: ServiceLookup;
  logger: RootLogger;
}

/**
 * The HTTP API and console as a service of the container: made with the container, listening only once
 * the lifecycle starts it, so a reload can reach it (CORS origins) before and after it listens.
 */
export class ApiListener implements ApiService {
  private running: RunningHttp | undefined;
  private origins: readonly string[];

  constructor(private readonly options: ApiListenerOptions) {
    this.origins = options.allowedOrigins;
  }

  async start(): Promise<void> {
    const { host, port } = splitHostPort(this.options.listen);
    this.running = await startHttp({
      host,
      port,
      token: this.options.token,
      ...(this.options.tokenFile ? { tokenFile: this.options.tokenFile } : {}),
      allowedOrigins: this.origins,
      services: this.options.services,
      logger: this.options.logger,
    });
  }

  /** Where the API answers; throws before it listens. */
  get url(): string {
    if (!this.running) throw new Error("the API is not listening yet");
    return this.running.url;
  }

  /** Applies a reloaded `api.corsOrigins`: to the next request on, or to the start if not listening yet. */
  setAllowedOrigins(origins: readonly string[]): void {
    this.origins = origins;
    this.running?.setAllowedOrigins(origins);
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }
}
