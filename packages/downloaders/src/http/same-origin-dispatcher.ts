/**
 * Keeps a client library's requests on the one origin the user configured.
 *
 * Client libraries built on fetch follow redirects, and a Web UI (or whatever took its port) could send
 * us anywhere with the session attached. Node's fetch hands every hop, redirects included, to the
 * dispatcher named in its options, so a dispatcher that refuses other origins is where a redirect stops.
 * It delegates to Node's own global dispatcher for the allowed origin, so pooling and TLS stay Node's.
 */

/** Raised for a request to an origin other than the configured one; a fetch reports it as its cause. */
export class OffOriginRequest extends Error {
  constructor(
    readonly allowed: string,
    readonly attempted: string,
  ) {
    super(`refused to follow ${allowed} to ${attempted}: only the configured URL is contacted`);
    this.name = "OffOriginRequest";
  }
}

interface DispatchOptions {
  origin?: string | URL;
}

interface DispatchHandler {
  onError?(error: Error): void;
}

interface Dispatcher {
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean;
}

// Node keeps its fetch dispatcher here (the bundled undici's global slot); it is set once fetch has loaded.
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

function nodeDispatcher(): Dispatcher {
  const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as Dispatcher | undefined;
  if (!dispatcher) throw new Error("Node's fetch dispatcher is not loaded");
  return dispatcher;
}

/** Origin only: a redirect target may carry a user name and password in its URL, never shown. */
function originOf(value: string | URL | undefined): string {
  try {
    return new URL(String(value)).origin;
  } catch {
    return String(value);
  }
}

/**
 * A dispatcher for fetch's `dispatcher` option that sends only to `baseUrl`'s origin. The return type is
 * loose on purpose: libraries type this option with the undici package's class, which we do not install.
 */
export function sameOriginDispatcher(baseUrl: string): never {
  const allowed = new URL(baseUrl).origin;
  const dispatcher: Dispatcher = {
    dispatch(options, handler) {
      const attempted = originOf(options.origin);
      if (attempted !== allowed) {
        handler.onError?.(new OffOriginRequest(allowed, attempted));
        return true;
      }
      return nodeDispatcher().dispatch(options, handler);
    },
  };
  return dispatcher as never;
}

/** The OffOriginRequest somewhere in an error's cause chain, if a redirect was refused. */
export function refusedRedirect(error: unknown): OffOriginRequest | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof OffOriginRequest) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
