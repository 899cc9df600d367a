import type { CommandRunner } from "@autostun/plugins-api";

/** One global unicast IPv6 address of this host, as `ip -j -6 addr` lists it. */
export interface GlobalAddress {
  address: string;
  interface: string;
  prefixLength: number;
  /** A privacy address (RFC 8981): used for outgoing connections, rotated, never announced by a client. */
  temporary: boolean;
}

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

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
  temporary?: boolean;
  deprecated?: boolean;
  tentative?: boolean;
  dadfailed?: boolean;
}

/** 2000::/3, the only block the internet routes unicast to. */
export function isGlobalUnicast6(address: string): boolean {
  const head = address.toLowerCase().split(":")[0] ?? "";
  if (head.length === 0 || head.length > 4) return false;
  const first = Number.parseInt(head.padStart(4, "0"), 16);
  return first >= 0x2000 && first <= 0x3fff;
}

/** Parses `ip -j -6 addr`; deprecated, tentative and failed addresses are left out: none takes new connections. */
export function parseIpAddr(json: string): GlobalAddress[] {
  const links = JSON.parse(json) as { ifname?: string; addr_info?: IpAddrInfo[] }[];
  if (!Array.isArray(links)) throw new Error("ip -j -6 addr printed no list");
  const out: GlobalAddress[] = [];
  for (const link of links) {
    for (const info of link.addr_info ?? []) {
      if (info.family !== "inet6" || info.scope !== "global" || !info.local) continue;
      if (info.deprecated || info.tentative || info.dadfailed || !isGlobalUnicast6(info.local)) continue;
      out.push({
        address: info.local,
        interface: link.ifname ?? "",
        prefixLength: info.prefixlen ?? 0,
        temporary: info.temporary === true,
      });
    }
  }
  // The stable address first: that is the one a listening client is reached at for long.
  return out.sort((a, b) => Number(a.temporary) - Number(b.temporary));
}

/** Parses `ip -j -6 route show default`: the first default route, or "none". */
export function parseDefaultRoute(json: string): DefaultRoute | "none" {
  const text = json.trim();
  const routes = (text.length === 0 ? [] : JSON.parse(text)) as { gateway?: string; dev?: string }[];
  if (!Array.isArray(routes)) throw new Error("ip -j -6 route printed no list");
  const first = routes[0];
  if (!first) return "none";
  return { gateway: first.gateway ?? null, interface: first.dev ?? null };
}

/** The local address of each `ss -l…H` line bound to `port` (`[::]`, `*`, `0.0.0.0`, `[2a0b::2]`, …). */
export function parseSsListeners(output: string, port: number): string[] {
  const found: string[] = [];
  for (const line of output.split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const colon = local.lastIndexOf(":");
    if (colon < 0 || local.slice(colon + 1) !== String(port)) continue;
    // `ss` writes an interface binding as `addr%dev`; the address is what matters here.
    found.push(
      local
        .slice(0, colon)
        .replace(/%.*$/, "")
        .replace(/^\[|\]$/g, ""),
    );
  }
  return [...new Set(found)];
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
