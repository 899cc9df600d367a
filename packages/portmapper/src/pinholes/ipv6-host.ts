import { readFile } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";

/**
 * An IPv6 address in its one usual spelling (RFC 5952: lower case, longest zero run shortened). miniupnpd
 * compares the pinhole's InternalClient with the request's source as text, so `2A0B:0:…` would be refused
 * where `2a0b::…` is granted. Throws on anything that is not an IPv6 address.
 */
export function canonicalIpv6(address: string): string {
  const bare = address.replace(/%.*$/, "");
  if (!isIPv6(bare)) throw new TypeError(`not an IPv6 address: ${JSON.stringify(address)}`);
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

/** The interface that holds `address` (e.g. "eth0"), or undefined when none does. */
export function interfaceHolding(address: string): string | undefined {
  const wanted = canonicalIpv6(address);
  for (const [name, entries] of Object.entries(networkInterfaces()))
    if (entries?.some((e) => e.family === "IPv6" && canonicalIpv6(e.address) === wanted)) return name;
  return undefined;
}

/** `/proc/net/ipv6_route`'s 32 hex digits as an address. */
function fromProcHex(hex: string): string {
  return canonicalIpv6((hex.match(/.{4}/g) ?? []).join(":"));
}

/**
 * The IPv6 default router from `/proc/net/ipv6_route` text: the next hop of `::/0` with the lowest metric,
 * with its zone (`fe80::1%eth0`) when it is link-local, as routers advertise themselves.
 */
export function parseDefaultGatewayV6(procText: string): string | undefined {
  let best: { ip: string; metric: number } | undefined;
  for (const line of procText.split("\n")) {
    const [dest, destLen, , , nextHop, metricHex, , , , device] = line.trim().split(/\s+/);
    if (dest !== "0".repeat(32) || destLen !== "00" || !nextHop || nextHop === "0".repeat(32) || !device)
      continue;
    const metric = Number.parseInt(metricHex ?? "ffffffff", 16);
    const hop = fromProcHex(nextHop);
    const ip = hop.startsWith("fe80:") ? `${hop}%${device}` : hop;
    if (!best || metric < best.metric) best = { ip, metric };
  }
  return best?.ip;
}

/** This host's IPv6 default router, or undefined when it has none (or the kernel has no IPv6). */
export async function defaultGatewayV6(): Promise<string | undefined> {
  const text = await readFile("/proc/net/ipv6_route", "utf8").catch(() => "");
  return parseDefaultGatewayV6(text);
}
