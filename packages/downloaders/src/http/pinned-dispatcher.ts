/**
 * What a pinned dispatcher stopped, and why the network said no: a client library turns both into
 * errors that no longer say either, so the adapter reads them from here.
 */
export interface PinnedDispatch {
  /** Pass as the library's `dispatcher` option (Node's fetch takes it). */
  readonly dispatcher: unknown;
  /** Where a request the pin refused was headed (origin and path, never credentials). */
  readonly refusedTarget: () => string | undefined;
  /** True once more requests were asked for than one call may take. */
  readonly overLimit: () => boolean;
  /** The network's own error for the last request that failed (ECONNREFUSED, a timeout …). */
  readonly networkError: () => Error | undefined;
}

interface DispatchOptions {
  origin?: string | URL;
  path: string;
}
interface Dispatcher {
  dispatch(options: DispatchOptions, handler: object): boolean;
}

// Where undici (inside Node's fetch) keeps the dispatcher every fetch uses when given none.
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

function withoutCredentials(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * A dispatcher for one call of a client library that lets requests through only to `endpoint`.
 * Libraries built on fetch follow redirects and take no `redirect` option, and some retry a refused
 * request with no end (Transmission's 409 handshake): pinning every request here keeps their traffic on
 * the URL the user gave and bounds each call to `maxRequests`.
 */
export function pinnedDispatcher(endpoint: string, maxRequests: number): PinnedDispatch {
  const target = new URL(endpoint);
  let requests = 0;
  let refusedTarget: string | undefined;
  let overLimit = false;
  let networkError: Error | undefined;

  const dispatcher: Dispatcher = {
    dispatch(options, handler) {
      const next = new URL(options.path, options.origin);
      if (next.origin !== target.origin || next.pathname !== target.pathname) {
        refusedTarget = withoutCredentials(next);
        // fetch runs dispatch inside a promise, so the throw fails this request and nothing is sent.
        throw new Error(`refused a request to ${refusedTarget}`);
      }
      if (++requests > maxRequests) {
        overLimit = true;
        throw new Error(`refused request ${requests} of one call`);
      }
      const inner = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
      if (!inner) throw new Error("Node's fetch has no dispatcher to hand the request to");
      return inner.dispatch(
        options,
        recordingErrors(handler, (error) => (networkError = error)),
      );
    },
  };
  return {
    dispatcher,
    refusedTarget: () => refusedTarget,
    overLimit: () => overLimit,
    networkError: () => networkError,
  };
}

/** The handler as it is, but noting the error it is told of (both undici handler styles). */
function recordingErrors(handler: object, record: (error: Error) => void): object {
  return new Proxy(handler, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "onError")
        return (error: Error) => {
          record(error);
          return value.call(target, error);
        };
      if (key === "onResponseError")
        return (controller: unknown, error: Error) => {
          record(error);
          return value.call(target, controller, error);
        };
      return value.bind(target);
    },
  });
}
