import type { ServiceAccessor, ServiceToken } from "@autostun/plugins-api";
import {
  type CallableServiceName,
  DATA_SERVICES,
  type DataServiceName,
  SERVICE_METHODS,
  type ServiceCallParams,
  ToDaemon,
} from "./protocol.js";
import type { RpcChannel } from "./rpc.js";

/** `Symbol.for("autostun.SystemFiles")` -> `SystemFiles`: tokens are symbols, which cannot cross IPC. */
function serviceName(token: symbol): string | undefined {
  return token.description?.startsWith("autostun.") ? token.description.slice("autostun.".length) : undefined;
}

/**
 * The plugin's `context.services` inside its own process: plain-data services are the copies the daemon sent
 * at start; every method of the others is a request to the daemon, where the real service runs.
 */
export function createServiceAccessor(
  channel: RpcChannel,
  data: Partial<Record<DataServiceName, unknown>>,
): ServiceAccessor {
  const proxies = new Map<string, unknown>();
  for (const [service, methods] of Object.entries(SERVICE_METHODS)) {
    const proxy: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of methods) {
      proxy[method] = (...args: unknown[]) => call(channel, service as CallableServiceName, method, args);
    }
    proxies.set(service, Object.freeze(proxy));
  }
  return {
    get<T>(token: ServiceToken<T>): T {
      const name = typeof token === "symbol" ? serviceName(token) : undefined;
      if (name && (DATA_SERVICES as readonly string[]).includes(name) && name in data)
        return data[name as DataServiceName] as T;
      if (name && proxies.has(name)) return proxies.get(name) as T;
      throw new Error(`the host offers no service ${String((token as symbol)?.description ?? token)}`);
    },
  };
}

function call(
  channel: RpcChannel,
  service: CallableServiceName,
  method: string,
  args: unknown[],
): Promise<unknown> {
  // The only option an AbortSignal travels in is the last argument's `signal`; it becomes a cancel message.
  const last = args.at(-1);
  let signal: AbortSignal | undefined;
  if (last && typeof last === "object" && "signal" in last) {
    const { signal: given, ...rest } = last as { signal?: AbortSignal };
    signal = given;
    args = [...args.slice(0, -1), rest];
  }
  const params: ServiceCallParams = { service, method, args };
  return channel.request(ToDaemon.callService, params, {
    ...(signal ? { signal } : {}),
    label: `${service}.${method}()`,
  });
}
