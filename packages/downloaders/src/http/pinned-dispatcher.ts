/**
 * The one guard the library-based adapters put under a client library's fetch calls.
 *
 * Client libraries built on fetch follow redirects and take no `redirect` option, so a Web UI (or a
 * reverse proxy's login page, or whatever took its port) could send the session or the password anywhere.
 * Node's fetch hands every request, each redirect hop included, to the dispatcher named in its options:
 * one that refuses anything off the configured URL is where a redirect stops, before a byte goes out.
 * Some libraries also retry a refused request with no end (Transmission's 409 handshake); a request cap
 * ends that. Allowed requests go to Node's own dispatcher, so pooling and keep-alive stay Node's.
 */

/** Which requests a pin lets through. */
export interface PinScope {
  /**
   * "url": only the configured URL's own path (one endpoint, like Transmission's RPC or Deluge's /json).
   * "origin": any path on the configured origin under the URL's path (an API of many calls, like
   * qBittorrent's, kept under the sub-path of a reverse proxy).
   */
  scope: "url" | "origin";
  /** The most requests the pin lets through in its life; no cap when absent. */
  maxRequests?: number;
}

/** Why a pin failed a request; fetch keeps it as the cause of its own "fetch failed". */
export class RefusedRequest extends Error {
  constructor(
    /** Where the request was headed: origin and path only, so never credentials or a query. */
    readonly attempted: string,
    readonly reason: "elsewhere" | "over-limit",
  ) {
    super(
      reason === "elsewhere"
        ? `refused a request to ${attempted}: only the configured URL is contacted`
        : `refused a request to ${attempted}: more requests than one call may take`,
    );
    this.name = "RefusedRequest";
  }
}

/** The RefusedRequest somewhere in an error's cause chain, for a library that keeps causes. */
export function refusedRequest(error: unknown): RefusedRequest | undefined {
  for (let at = error, depth = 0; at != null && depth < 8; depth++) {
    if (at instanceof RefusedRequest) return at;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A pin and what it saw. Some libraries turn a failed request into an error that keeps neither the
 * refusal nor the network's own error, so the adapter reads them here (best with one pin per call).
 */
export interface PinnedDispatch {
  /** Pass as the library's `dispatcher` option (Node's fetch takes it); cast to the library's type. */
  readonly dispatcher: unknown;
  /** Where the last request the pin refused for being off the URL was headed. */
  readonly refusedTarget: () => string | undefined;
  /** True once more requests were asked for than `maxRequests`. */
  readonly overLimit: () => boolean;
  /** The network's own error for the last request that failed (ECONNREFUSED, a timeout …). */
  readonly networkError: () => Error | undefined;
  /** Ends the requests still in flight through this pin (an adapter being disposed); later ones pass. */
  readonly close: () => void;
}

interface DispatchOptions {
  origin?: string | URL;
  path: string;
}
interface Dispatcher {
  dispatch(options: DispatchOptions, handler: object): boolean;
}
type Abort = (reason: Error) => void;

// Where undici (inside Node's fetch) keeps the dispatcher every fetch uses when given none.
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

function nodeDispatcher(): Dispatcher {
  const inner = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
  if (!inner) throw new Error("Node's fetch has no dispatcher to hand the request to");
  return inner;
}

/** Lets through only requests to `endpoint` (per `scope`), at most `maxRequests` of them. */
export function pinnedDispatcher(endpoint: string, { scope, maxRequests }: PinScope): PinnedDispatch {
  const target = new URL(endpoint);
  // "/qbt/" and "/qbt" both mean everything under /qbt; an empty base lets any path through.
  const basePath = target.pathname.replace(/\/+$/, "");
  const allowed = (next: URL) =>
    next.origin === target.origin &&
    (scope === "url"
      ? next.pathname === target.pathname
      : next.pathname === basePath || next.pathname.startsWith(`${basePath}/`));

  let requests = 0;
  let refusedTarget: string | undefined;
  let overLimit = false;
  let networkError: Error | undefined;
  const inFlight = new Set<Abort>();

  const dispatcher: Dispatcher = {
    dispatch(options, handler) {
      let next: URL | undefined;
      try {
        next = new URL(options.path, options.origin);
      } catch {
        next = undefined;
      }
      // Origin and path only: a redirect target may carry a user name and password, never shown.
      const attempted = next ? `${next.origin}${next.pathname}` : String(options.origin ?? options.path);
      // fetch runs dispatch inside a promise, so a throw fails this request and nothing is sent.
      if (!next || !allowed(next)) {
        refusedTarget = attempted;
        throw new RefusedRequest(attempted, "elsewhere");
      }
      if (maxRequests !== undefined && ++requests > maxRequests) {
        overLimit = true;
        throw new RefusedRequest(attempted, "over-limit");
      }
      return nodeDispatcher().dispatch(
        options,
        watched(handler, {
          started: (abort) => inFlight.add(abort),
          ended: (abort, error) => {
            if (abort) inFlight.delete(abort);
            if (error) networkError = error;
          },
        }),
      );
    },
  };
  return {
    dispatcher,
    refusedTarget: () => refusedTarget,
    overLimit: () => overLimit,
    networkError: () => networkError,
    close: () => {
      const ending = [...inFlight];
      inFlight.clear();
      for (const abort of ending) abort(new Error("the adapter was disposed"));
    },
  };
}

interface Watch {
  started(abort: Abort): void;
  ended(abort: Abort | undefined, error?: Error): void;
}

/**
 * The handler as it is, but telling `watch` how to end its request and when it ended (with the
 * network's error if it failed). Both undici handler styles: onConnect/onComplete/onError and
 * onRequestStart/onResponseEnd/onResponseError.
 */
function watched(handler: object, watch: Watch): object {
  let abort: Abort | undefined;
  return new Proxy(handler, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      switch (key) {
        case "onConnect":
          return (stop: Abort, ...rest: unknown[]) => {
            abort = stop;
            watch.started(stop);
            return value.call(target, stop, ...rest);
          };
        case "onRequestStart":
          return (controller: { abort: Abort }, ...rest: unknown[]) => {
            abort = (reason) => controller.abort(reason);
            watch.started(abort);
            return value.call(target, controller, ...rest);
          };
        case "onComplete":
          return (...args: unknown[]) => {
            watch.ended(abort);
            return value.apply(target, args);
          };
        case "onResponseEnd":
          return (...args: unknown[]) => {
            watch.ended(abort);
            return value.apply(target, args);
          };
        case "onError":
          return (error: Error) => {
            watch.ended(abort, error);
            return value.call(target, error);
          };
        case "onResponseError":
          return (controller: unknown, error: Error) => {
            watch.ended(abort, error);
            return value.call(target, controller, error);
          };
        default:
          return value.bind(target);
      }
    },
  });
}
