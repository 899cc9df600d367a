import { type ServiceAccessor, Services } from "@autostun/plugins-api";
import { isNumber, isRecord, isString, listOf } from "./guards.js";
import type { ServiceCallParams } from "./protocol.js";

/**
 * The daemon's side of `service.call`: each service method a plugin's process may call, with its
 * arguments checked here before the real service sees them. The plugin's AbortSignal arrived as a cancel
 * message; the real service gets this end's `signal` instead.
 */
type ServedMethod = (
  services: ServiceAccessor,
  args: readonly unknown[],
  signal: AbortSignal,
) => Promise<unknown>;

function text(value: unknown, what: string): string {
  if (isString(value)) return value;
  throw new Error(`${what} must be a string`);
}

function options(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (isRecord(value)) return value;
  throw new Error("the options must be an object");
}

const isStringList = listOf(isString);

const SERVED: Record<string, Record<string, ServedMethod>> = {
  SystemFiles: {
    readText: (s, [path]) => s.get(Services.SystemFiles).readText(text(path, "path")),
    exists: (s, [path]) => s.get(Services.SystemFiles).exists(text(path, "path")),
    list: (s, [path]) => s.get(Services.SystemFiles).list(text(path, "path")),
  },
  CommandRunner: {
    run: (s, [file, args, given], signal) => {
      if (!isStringList(args)) throw new Error("the arguments of run() must be a list of strings");
      const { timeoutMs, input } = options(given);
      return s.get(Services.CommandRunner).run(text(file, "file"), args, {
        signal,
        ...(isNumber(timeoutMs) ? { timeoutMs } : {}),
        ...(isString(input) ? { input } : {}),
      });
    },
  },
  NetworkInfo: { addresses: (s) => s.get(Services.NetworkInfo).addresses() },
  TunnelPorts: { localPorts: (s) => s.get(Services.TunnelPorts).localPorts() },
  TunnelActivity: { tunnels: (s) => s.get(Services.TunnelActivity).tunnels() },
  Downloaders: {
    list: (s) => s.get(Services.Downloaders).list(),
    probe: (s, [tunnelId], signal) =>
      s.get(Services.Downloaders).probe(text(tunnelId, "tunnelId"), { signal }),
    peers: (s, [tunnelId], signal) =>
      s.get(Services.Downloaders).peers(text(tunnelId, "tunnelId"), { signal }),
    ipv6Listening: (s, [tunnelId], signal) =>
      s.get(Services.Downloaders).ipv6Listening(text(tunnelId, "tunnelId"), { signal }),
    listenOnIpv6: (s, [tunnelId], signal) =>
      s.get(Services.Downloaders).listenOnIpv6(text(tunnelId, "tunnelId"), { signal }),
  },
  UpnpGateway: { probe: (s, _args, signal) => s.get(Services.UpnpGateway).probe({ signal }) },
};

export function callService(
  services: ServiceAccessor,
  { service, method, args }: ServiceCallParams,
  signal: AbortSignal,
): Promise<unknown> {
  const served = Object.hasOwn(SERVED, service) ? SERVED[service] : undefined;
  const call = served && Object.hasOwn(served, method) ? served[method] : undefined;
  if (!call) throw new Error(`the host offers no service method ${service}.${method}`);
  return call(services, args, signal);
}
