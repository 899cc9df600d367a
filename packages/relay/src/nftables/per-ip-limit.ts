import { type ChainSpec, inboundTcpMatch6, inboundUdpMatch6, type SetSpec } from "@autostun/netfilter";
import type { TunnelObjectNames } from "./object-names.js";

// Right after the ban chain (-150) and before DNAT (-100): a peer over its limit is reset before the
// kernel hands the connection on, and counted with the blocked ones.
const LIMIT_PRIORITY = -149;

/**
 * The user-space forwarder's per-address limit, for kernel forwarding: `ct count` over a dynamic set
 * keyed by source address counts each address's connections conntrack still holds, so one address
 * cannot open thousands of forwarded connections to the target.
 */
export function perIpLimit(
  names: TunnelObjectNames,
  inbound: string,
  maxPerIp: number,
  udp?: { inbound: string; maxPerIp: number },
): { sets: SetSpec[]; chains: ChainSpec[] } {
  checkLimit(maxPerIp, "connection");
  const set = `${names.prefix}_peers`;
  const sets: SetSpec[] = [{ name: set, type: "ipv4_addr", flags: ["dynamic"] }];
  const rules = [
    `${inbound} ct state new add @${set} { ip saddr ct count over ${maxPerIp} } counter name "${names.blocked}" reject with tcp reset`,
  ];
  if (udp) {
    checkLimit(udp.maxPerIp, "UDP flow");
    // A set of its own: an element's count covers every flow added through it, and a peer's uTP
    // flows must not use up its TCP connections (or the other way round). Over the limit a datagram
    // is dropped: UDP has no reset, and the peer retries or gives up as it would on a lossy path.
    const udpSet = `${names.prefix}_upeers`;
    sets.push({ name: udpSet, type: "ipv4_addr", flags: ["dynamic"] });
    rules.push(
      `${udp.inbound} ct state new add @${udpSet} { ip saddr ct count over ${udp.maxPerIp} } counter name "${names.udpBlocked}" drop`,
    );
  }
  return {
    sets,
    chains: [
      {
        name: `${names.prefix}_limit`,
        hook: { type: "filter", hook: "prerouting", priority: LIMIT_PRIORITY },
        rules,
      },
    ],
  };
}

/**
 * The same limit for IPv6 peers at the downloader's own port, keyed by the source's /64 rather than its
 * address: one IPv6 host usually holds a whole /64 and can pick a fresh address in it per connection, so
 * a per-address count would limit nothing. Its own counters, which the tunnel's blocked counts include.
 */
export function perPrefixLimit6(
  names: TunnelObjectNames,
  port: number,
  limits: { tcp: number; udp: number },
): { counters: string[]; sets: SetSpec[]; chains: ChainSpec[] } {
  checkLimit(limits.tcp, "connection");
  checkLimit(limits.udp, "UDP flow");
  const tcpSet = `${names.prefix}_peers6`;
  const udpSet = `${names.prefix}_upeers6`;
  const slash64 = "ip6 saddr and ffff:ffff:ffff:ffff::";
  return {
    counters: [names.limited6, names.udpLimited6],
    sets: [
      { name: tcpSet, type: "ipv6_addr", flags: ["dynamic"] },
      { name: udpSet, type: "ipv6_addr", flags: ["dynamic"] },
    ],
    chains: [
      {
        name: `${names.prefix}_limit6`,
        hook: { type: "filter", hook: "prerouting", priority: LIMIT_PRIORITY },
        rules: [
          `${inboundTcpMatch6(port)} ct state new add @${tcpSet} { ${slash64} ct count over ${limits.tcp} } counter name "${names.limited6}" reject with tcp reset`,
          `${inboundUdpMatch6(port)} ct state new add @${udpSet} { ${slash64} ct count over ${limits.udp} } counter name "${names.udpLimited6}" drop`,
        ],
      },
    ],
  };
}

function checkLimit(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    throw new Error(`the per-address ${what} limit must be 1-65535, not ${value}`);
}
