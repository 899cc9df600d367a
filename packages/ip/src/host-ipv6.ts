/**
 * How this host's own IPv6 is read from Linux tools, one rule for everyone who needs it: the check
 * `ipv6.reachability` and the tunnels' IPv6 path must agree on which address peers are told about.
 */

/** One global unicast IPv6 address of this host, as `ip -j -6 addr` lists it. */
export interface GlobalIpv6Address {
  address: string;
  interface: string;
  prefixLength: number;
  /** A privacy address (RFC 8981): used for outgoing connections, rotated, never announced by a client. */
  temporary: boolean;
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

/**
 * The global addresses in the output of `ip -j -6 addr`, stable ones first (that is the one a listening
 * client is reached at for long). Deprecated, tentative and failed addresses take no new connections.
 */
export function parseGlobalIpv6(json: string): GlobalIpv6Address[] {
  const links = JSON.parse(json) as { ifname?: string; addr_info?: IpAddrInfo[] }[];
  if (!Array.isArray(links)) throw new Error("ip -j -6 addr printed no list");
  const found: GlobalIpv6Address[] = [];
  for (const link of links)
    for (const info of link.addr_info ?? []) {
      if (info.family !== "inet6" || info.scope !== "global" || !info.local) continue;
      if (info.deprecated || info.tentative || info.dadfailed || !isGlobalUnicast6(info.local)) continue;
      found.push({
        address: info.local,
        interface: link.ifname ?? "",
        prefixLength: info.prefixlen ?? 0,
        temporary: info.temporary === true,
      });
    }
  return found.sort((a, b) => Number(a.temporary) - Number(b.temporary));
}

/** The local address of each `ss -l…H` line bound to `port` (`[::]`, `*`, `0.0.0.0`, `[2a0b::2]`, …). */
export function parseListenerAddresses(output: string, port: number): string[] {
  const bound = new Set<string>();
  for (const line of output.split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const colon = local.lastIndexOf(":");
    if (colon < 0 || local.slice(colon + 1) !== String(port)) continue;
    // `ss` writes an interface binding as `addr%dev`; the address is what matters here.
    bound.add(
      local
        .slice(0, colon)
        .replace(/%.*$/, "")
        .replace(/^\[|\]$/g, ""),
    );
  }
  return [...bound];
}
