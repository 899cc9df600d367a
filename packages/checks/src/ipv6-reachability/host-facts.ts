import {
  type GlobalIpv6Address,
  isGlobalUnicast6,
  parseGlobalIpv6,
  parseListenerAddresses,
} from "@autostun/ip";
import type { CommandRunner } from "@autostun/plugins-api";

/** One global unicast IPv6 address of this host, as `ip -j -6 addr` lists it. */
export type GlobalAddress = GlobalIpv6Address;

export interface DefaultRoute {
  gateway: string | null;
  interface: string | null;
}

/** Where a port is bound, per protocol, from `ss`: the local address column of each listener. */
export interface PortListeners {
  port: number;
  tcp: string[];
  udp: string[];
  /** Some listener accepts IPv6: `::`, `*` (dual-stack wildcard) or one of the host's global addresses. */
  tcpOnIpv6: boolean;
  udpOnIpv6: boolean;
}

/**
 * What the host says about its own IPv6. Each field is `null` when it could not be read, with the reason
 * in `unreadable`; an empty list means read and empty.
 */
export interface HostIpv6Facts {
  addresses: GlobalAddress[] | null;
  defaultRoute: DefaultRoute | null | "none";
  listeners: PortListeners | null;
  unreadable: string[];
}

/** Parses `ip -j -6 addr` by the rule the tunnels' IPv6 path uses too (`@autostun/ip`). */
export const parseIpAddr = parseGlobalIpv6;
export const parseSsListeners = parseListenerAddresses;
export { isGlobalUnicast6 };

/** Parses `ip -j -6 route show default`: the first default route, or "none". */
export function parseDefaultRoute(json: string): DefaultRoute | "none" {
  const text = json.trim();
  const routes = (text.length === 0 ? [] : JSON.parse(text)) as { gateway?: string; dev?: string }[];
  if (!Array.isArray(routes)) throw new Error("ip -j -6 route printed no list");
  const first = routes[0];
  if (!first) return "none";
  return { gateway: first.gateway ?? null, interface: first.dev ?? null };
}

export function acceptsIpv6(bound: readonly string[], globals: readonly GlobalAddress[]): boolean {
  const own = new Set(globals.map((g) => g.address.toLowerCase()));
  return bound.some((b) => b === "::" || b === "*" || own.has(b.toLowerCase()));
}

async function runJson(runner: CommandRunner, args: string[], signal: AbortSignal): Promise<string> {
  const result = await runner.run("ip", args, { signal, timeoutMs: 5000 });
  if (result.error || result.exitCode !== 0)
    throw new Error(
      `ip ${args.join(" ")}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
    );
  return result.stdout;
}

/** Reads the host's IPv6 addresses, default route and (with a port) who listens on it. */
export async function readHostIpv6(
  runner: CommandRunner,
  port: number | undefined,
  signal: AbortSignal,
): Promise<HostIpv6Facts> {
  const unreadable: string[] = [];
  const attempt = async <T>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      unreadable.push(error instanceof Error ? error.message : String(error));
      return null;
    }
  };
  const addresses = await attempt(async () =>
    parseIpAddr(await runJson(runner, ["-j", "-6", "addr"], signal)),
  );
  const defaultRoute = await attempt(async () =>
    parseDefaultRoute(await runJson(runner, ["-j", "-6", "route", "show", "default"], signal)),
  );
  let listeners: PortListeners | null = null;
  if (port !== undefined && addresses) {
    listeners = await attempt(async () => {
      const [tcp, udp] = await Promise.all(
        ["-ltnH", "-lunH"].map(async (flags) => {
          const result = await runner.run("ss", [flags], { signal, timeoutMs: 5000 });
          if (result.error || result.exitCode !== 0)
            throw new Error(
              `ss ${flags}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
            );
          return parseSsListeners(result.stdout, port);
        }),
      );
      return {
        port,
        tcp: tcp ?? [],
        udp: udp ?? [],
        tcpOnIpv6: acceptsIpv6(tcp ?? [], addresses),
        udpOnIpv6: acceptsIpv6(udp ?? [], addresses),
      };
    });
  }
  return { addresses, defaultRoute, listeners, unreadable };
}

/**
 * The address peers would reach the downloader at, so the router is measured for that one: the global
 * address its listener is bound to when it is bound to one, else the stable address (listed first).
 */
export function probeAddress(facts: HostIpv6Facts): string | undefined {
  const globals = facts.addresses ?? [];
  const bound = facts.listeners?.tcp ?? [];
  const own = globals.find((g) => bound.some((b) => b.toLowerCase() === g.address.toLowerCase()));
  return (own ?? globals[0])?.address;
}
