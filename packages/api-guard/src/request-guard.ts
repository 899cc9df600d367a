import type { IncomingHttpHeaders } from "node:http";
import { isLoopbackHost } from "./token-gate.js";

export interface RequestGuardOptions {
  /** Refuse Host headers that are not loopback names (loopback listen address, no token). */
  guardHost: boolean;
  /** Web origins besides the console's own that may call the API from a browser. */
  extraOrigins: readonly string[];
}

/** Reads `https://Host:443/path` as `https://host`; throws a message naming the bad entry otherwise. */
export function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `allowed origin "${value}" is not a URL; write it as scheme://host[:port], e.g. https://dash.example`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`allowed origin "${value}" must start with http:// or https://`);
  return url.origin;
}

/**
 * The Host and Origin rules every request and every WebSocket upgrade must pass.
 *
 * Host: without a token on a loopback address, only loopback names; that defeats DNS rebinding, where a
 * web page's own name is pointed at 127.0.0.1.
 * Origin: browsers send it on cross-origin requests and on every WebSocket upgrade. Allowed are the
 * daemon's own origin (the page's origin equals the Host it talks to, which is the console itself), the
 * daemon's listen origins, and configured extra origins. Requests without Origin (curl, the CLI, other
 * programs) are not from a web page and pass.
 */
export class RequestGuard {
  private readonly extra: Set<string>;
  private listenOrigins = new Set<string>();

  constructor(private readonly options: RequestGuardOptions) {
    this.extra = new Set(options.extraOrigins.map(normaliseOrigin));
  }

  /** Cross-origin callers that get CORS headers. */
  get corsOrigins(): ReadonlySet<string> {
    return this.extra;
  }

  /**
   * Replaces the configured extra origins (a reloaded `api.corsOrigins`). The set is changed in place,
   * since the GraphQL handler holds the same set for its CORS answers. Throws on a malformed entry
   * before changing anything.
   */
  setExtraOrigins(origins: readonly string[]): void {
    const next = origins.map(normaliseOrigin);
    this.extra.clear();
    for (const origin of next) this.extra.add(origin);
  }

  /** Called once the port is known (a configured port 0 becomes a real one only at listen). */
  listening(host: string, port: number): void {
    const names = isLoopbackHost(host)
      ? ["127.0.0.1", "localhost", "[::1]"]
      : [host.includes(":") ? `[${host}]` : host];
    this.listenOrigins = new Set(names.map((name) => `http://${name}:${port}`));
  }

  /** Why this request must be refused (the text the client reads), or undefined when it may pass. */
  refusal(headers: IncomingHttpHeaders): string | undefined {
    const host = (headers.host ?? "").toLowerCase();
    if (this.options.guardHost && !isLoopbackHost(host.replace(/:\d+$/, ""))) {
      return (
        `AutoSTUN refused this request: its Host header names "${host}", but without api.token it answers only ` +
        "to localhost names (this stops web pages from reaching it by DNS rebinding). " +
        "Open it as http://127.0.0.1:<port>/ or set api.token.\n"
      );
    }
    const origin = headers.origin;
    if (origin === undefined || this.originAllowed(origin, host)) return undefined;
    return (
      `AutoSTUN refused this request: it comes from a web page at ${origin}, which may not use this API. ` +
      "Use the console the daemon serves, or ask for that origin to be added to the allowed origins.\n"
    );
  }

  private originAllowed(origin: string, host: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      // `null` (sandboxed frames, file: pages) and garbage: nobody we know.
      return false;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    return url.host === host || this.listenOrigins.has(url.origin) || this.extra.has(url.origin);
  }
}
