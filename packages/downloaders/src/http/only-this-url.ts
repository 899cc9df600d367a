import { DownloaderError } from "@autostun/plugins-api";
import { Agent, type Dispatcher } from "undici";

/**
 * An HTTP dispatcher for a client library's `fetch` calls that sends requests to one URL only.
 * Client libraries follow redirects, and a 307/308 would resend the login (password in the body) to
 * whatever host the answer names; a reverse proxy's login page on another host is a common case. Every
 * request fetch makes, the redirected ones included, passes here, so anything but `url` (its origin and
 * path, query included) is refused before a byte goes out.
 */
export class OnlyThisUrl extends Agent {
  private readonly origin: string;
  private readonly path: string;

  constructor(url: string) {
    super();
    const allowed = new URL(url);
    this.origin = allowed.origin;
    this.path = `${allowed.pathname}${allowed.search}`;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const origin = options.origin === undefined ? "" : new URL(String(options.origin)).origin;
    if (origin === this.origin && options.path === this.path) return super.dispatch(options, handler);
    const where = origin ? `${origin}${options.path.split("?")[0]}` : options.path;
    const refused = new DownloaderError(
      "UNREACHABLE",
      `${this.origin}${this.path} sent us on to ${where}; nothing was sent there: set the client's own URL`,
    );
    // Reported after dispatch returns, the way a failed connection is.
    queueMicrotask(() => handler.onError?.(refused));
    return true;
  }
}
