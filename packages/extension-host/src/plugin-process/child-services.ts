import type { ServiceAccessor, ServiceToken } from "@autostun/plugins-api";
import { isRecord } from "./guards.js";
import {
  CALLABLE_SERVICES,
  type CallableServiceName,
  type DataServiceName,
  isDataService,
  SERVICE_METHODS,
  type ToDaemon,
  type ToPlugin,
} from "./protocol.js";
import type { RpcChannel } from "./rpc.js";

/** The plugin process's end of the channel: it asks the daemon for gathers and services, and answers it. */
export type PluginChannel = RpcChannel<ToDaemon, ToPlugin>;

/** `Symbol.for("autostun.SystemFiles")` -> `SystemFiles`: tokens are symbols, which cannot cross IPC. */
function serviceName(token: symbol): string | undefined {
  return token.description?.startsWith("autostun.") ? token.description.slice("autostun.".length) : undefined;
}

/**
 * The plugin's `context.services` inside its own process: plain-data services are the copies the daemon sent
 * at start; every method of the others is a request to the daemon, where the real service runs.
 */
export function createServiceAccessor(
  channel: PluginChannel,
  data: Partial<Record<DataServiceName, unknown>>,
): ServiceAccessor {
  const proxies = new Map<string, unknown>();
  for (const service of CALLABLE_SERVICES) {
    const proxy: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of SERVICE_METHODS[service]) {
      proxy[method] = (...args: unknown[]) => call(channel, service, method, args);
    }
    proxies.set(service, Object.freeze(proxy));
  }
  // A token's type says what its service is; which value stands behind a token is only known by name here.
  function get<T>(token: ServiceToken<T>): T;
  function get(token: symbol): unknown {
    const name = typeof token === "symbol" ? serviceName(token) : undefined;
    if (name && isDataService(name) && name in data) return data[name];
    if (name && proxies.has(name)) return proxies.get(name);
    throw new Error(`the host offers no service ${String(token?.description ?? token)}`);
  }
  return { get };
}

function call(
  channel: PluginChannel,
  service: CallableServiceName,
  method: string,
  args: unknown[],
): Promise<unknown> {
  // The only option an AbortSignal travels in is the last argument's `signal`; it becomes a cancel message.
  const last = args.at(-1);
  let signal: AbortSignal | undefined;
  if (isRecord(last) && "signal" in last) {
    const { signal: given, ...rest } = last;
    if (given instanceof AbortSignal) signal = given;
    args = [...args.slice(0, -1), rest];
  }
  return channel.request(
    "service.call",
    { service, method, args },
    { ...(signal ? { signal } : {}), label: `${service}.${method}()` },
  );
}
