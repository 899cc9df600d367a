import type { TunnelConfig } from "@autostun/config";
import {
  DownloaderPush,
  type DownloaderStatus,
  idleDownloaderStatus,
  type PushRetry,
  signsInWithApiKey,
} from "@autostun/downloaders";
import type { ResolvedDownloader } from "@autostun/extension-host";
import { type DownloaderAdapter, type LocalizedText, type Logger, localize } from "@autostun/plugins-api";

export type DownloaderSettingsConfig = NonNullable<TunnelConfig["downloader"]>;

export type ResolveDownloader = (kind: string) => Promise<ResolvedDownloader>;

export interface TunnelDownloaderOptions {
  settings: DownloaderSettingsConfig;
  resolve: ResolveDownloader;
  logger: Logger;
  /** Where the port is checked from this host: the tunnel's target host, where peers are sent. */
  verifyHost: string;
  /** Shorter back-off for tests; DownloaderPush's defaults otherwise. */
  retry?: Partial<PushRetry>;
  onStatus(status: DownloaderStatus): void;
}

/**
 * The downloader of one tunnel: the adapter and its push are made on the first port (activating the
 * plugin that provides the kind only when a tunnel needs it) and kept for the tunnel's life, so the
 * client's login session is reused across port changes.
 */
export class TunnelDownloader {
  private push: DownloaderPush | undefined;
  private adapter: DownloaderAdapter | undefined;
  private making: Promise<DownloaderPush | undefined> | undefined;
  private lastPort: number | undefined;
  private disposed = false;
  private current: DownloaderStatus;
  private refused: DownloaderStatus | undefined;

  constructor(private readonly options: TunnelDownloaderOptions) {
    this.current = idleDownloaderStatus(options.settings.kind, options.settings.url);
  }

  status(): DownloaderStatus {
    if (this.refused) return { ...this.refused };
    return this.push?.status() ?? { ...this.current };
  }

  /** Starts pushing `port` in the background; failures end up in the status, never thrown. */
  pushPort(port: number): void {
    this.refused = undefined;
    this.lastPort = port;
    void this.run(port);
  }

  /**
   * Does not push `port` and says why: it is a port one of our own listeners holds, where the client
   * could not listen. A push in progress for an older port stops.
   */
  refuse(port: number, why: LocalizedText): void {
    this.push?.cancel();
    this.lastPort = undefined;
    const base = this.push?.status() ?? this.current;
    const message = localize(why);
    this.refused = {
      ...base,
      state: "FAILED",
      requestedPort: port,
      verifiedPort: undefined,
      lastPushAt: new Date(),
      nextRetryAt: undefined,
      error: { kind: "OTHER", message, summary: why },
    };
    this.options.logger.warn("downloader port not pushed", {
      kind: this.options.settings.kind,
      port,
      error: message,
    });
    this.options.onStatus(this.status());
  }

  /** Pushes the last port again now; false when no port is known yet (the tunnel never opened). */
  retry(): boolean {
    // The port is still one our listener holds: refusing it again is the answer.
    if (this.refused) return true;
    if (this.lastPort === undefined) return false;
    // A kind that could not be resolved before may be there now (its plugin was fixed).
    if (!this.push) this.making = undefined;
    this.pushPort(this.lastPort);
    return true;
  }

  /** Cancels a push in progress and ends the client session; the tunnel stopped or changed. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.push?.cancel();
    const adapter = this.adapter;
    this.adapter = undefined;
    try {
      await adapter?.dispose?.();
    } catch (error) {
      this.options.logger.warn("downloader session did not end cleanly", {
        kind: this.options.settings.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async run(port: number): Promise<void> {
    this.making ??= this.make();
    const push = await this.making;
    if (!push || this.disposed || port !== this.lastPort) return;
    try {
      await push.push(port);
    } catch (error) {
      // DownloaderPush records failures itself; anything escaping it must still not take the daemon down.
      this.options.logger.error("downloader push crashed", {
        kind: this.options.settings.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async make(): Promise<DownloaderPush | undefined> {
    const { settings, logger } = this.options;
    const resolved = await this.options.resolve(settings.kind).catch(
      (error: unknown): ResolvedDownloader => ({
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    if (this.disposed) return undefined;
    if ("error" in resolved) {
      this.current = {
        ...this.current,
        state: "FAILED",
        lastPushAt: new Date(),
        error: { kind: "UNSUPPORTED", message: localize(resolved.error), summary: resolved.error },
      };
      this.options.onStatus(this.status());
      return undefined;
    }
    const adapterSettings = {
      url: settings.url,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    };
    try {
      this.adapter = resolved.factory(adapterSettings, { logger });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.current = {
        ...this.current,
        state: "FAILED",
        lastPushAt: new Date(),
        error: { kind: "OTHER", message, summary: message },
      };
      this.options.onStatus(this.status());
      return undefined;
    }
    const restart = settings.restartHook;
    this.push = new DownloaderPush({
      kind: settings.kind,
      url: settings.url,
      adapter: this.adapter,
      logger,
      usesApiKey: signsInWithApiKey(settings),
      verifyHost: this.options.verifyHost,
      ...(restart?.command
        ? { restartHook: { argv: restart.command, timeoutMs: restart.timeoutSeconds * 1000 } }
        : {}),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      onStatus: (status) => this.options.onStatus(status),
    });
    return this.push;
  }
}
