import {
  type ChainSpec,
  type CounterSpec,
  dnatRule,
  inboundTcpMatch,
  inboundTcpMatch6,
  inboundUdpMatch,
  inboundUdpMatch6,
  redirectRule,
  type SetSpec,
} from "@autostun/netfilter";
import type { TunnelObjectNames } from "./object-names.js";
import { perIpLimit, perPrefixLimit6 } from "./per-ip-limit.js";

/** Where a tunnel's inbound connections go: another endpoint on this host, or our relay port. */
export type NftablesDestination =
  | { kind: "dnat"; ip: string; port: number }
  /** `follows`: the port is the downloader's on this host, and moves with it (see `retarget`). */
  | { kind: "redirect"; port: number; follows?: boolean };

/** What one tunnel's part of the table is made from. */
export interface TunnelRulesInput {
  names: TunnelObjectNames;
  /** Port P, where peers arrive. */
  port: number;
  /** Live forwarded connections one source address may hold (DNAT only; the relay port limits its own). */
  maxPerIp?: number;
  /**
   * The tunnel's UDP local port (where its UDP mapping is held), whose inbound datagrams go to the same
   * destination as the TCP ones. Absent: TCP only, and the rules are exactly those of a TCP-only tunnel.
   */
  udpLocalPort?: number;
  /** Live UDP flows one source address may hold (DNAT with `udpLocalPort` only). */
  udpMaxPerIp?: number;
  /**
   * The local port of the socket that holds the UDP mapping, when it is not `udpLocalPort` itself: on a
   * port-preserving gateway whose public port the downloader on this host listens on, the mapping's
   * packets leave with `udpLocalPort` as their source port (the gateway keeps that port), and a redirect
   * destination sends peers' new flows to that socket rather than to the downloader.
   */
  udpSnatFrom?: number;
  destination: NftablesDestination;
  /** Banned ranges as nft text, re-declared whenever the table is rebuilt. */
  banElements: string[];
  /** Banned single hosts as nft text (no /32), likewise. */
  hostBanElements: string[];
  /** Counts carried over from the table being replaced. */
  counts: ReadonlyMap<string, { packets: number; bytes: number }>;
  /**
   * The downloader runs on this host, and IPv6 peers reach it at its own address on `port` (the
   * downloader's, not P): no tunnel in between, so its bans are enforced there. Absent: IPv4 only, and
   * the rules are exactly those of a tunnel without it.
   */
  ipv6?: Ipv6Guard;
  /**
   * Only the IPv6 guard: no IPv4 set, chain or counter at all, and `port` and `destination` unused. For a
   * path that forwards IPv4 in user space while the downloader on this host takes IPv6 peers itself.
   */
  ipv6Only?: boolean;
}

/** A downloader's own IPv6 port and the IPv6 bans refused there, as nft text like the IPv4 ones. */
export interface Ipv6Guard {
  port: number;
  banElements: string[];
  hostBanElements: string[];
  /** Live connections (TCP) and flows (UDP) one source /64 may hold; absent: no limit. */
  maxPerPrefix?: { tcp: number; udp: number };
}

// Between conntrack (-200) and DNAT (-100): the packet still carries port P, so a ban is checked
// before the kernel hands the connection on.
const BAN_PRIORITY = -150;
// After DNAT and after source NAT of replies, so `ct status dnat` is known for every packet counted.
const BYTES_IN_PRIORITY = -90;
const BYTES_OUT_PRIORITY = 200;

/** The counters, ban set and chains of one tunnel. */
export function tunnelRules(input: TunnelRulesInput): {
  counters: CounterSpec[];
  sets: SetSpec[];
  chains: ChainSpec[];
} {
  if (input.ipv6Only) return ipv6OnlyRules(input);
  const { names, port, destination, udpLocalPort } = input;
  const inbound = inboundTcpMatch(port);
  const udp = udpLocalPort === undefined ? undefined : udpParts(input, udpLocalPort);
  const counter = (name: string): CounterSpec => ({ name, ...input.counts.get(name) });
  // Peers only: the answers to the tunnel's own connections from P (keep-alive, STUN) arrive on P too,
  // in the reply direction, and a ban that covers their server must not cut the tunnel off.
  const bannedBy = (set: string) => `${inbound} ip saddr @${set} ct direction original`;
  // Only connections we handed on, recognised by their original port: the keep-alive and STUN
  // connections from P are not DNATed and stay out of the byte counts.
  const ours = `meta l4proto tcp ct status dnat ct original proto-dst ${port}`;
  const handOn =
    destination.kind === "dnat"
      ? dnatRule(inbound, { ip: destination.ip, port: destination.port }, names.handled)
      : redirectRule(inbound, destination.port, names.handled);
  // Peers handed to the destination by the kernel; a relay port of ours limits them itself.
  const kernelDestination = destination.kind === "dnat" || destination.follows === true;
  const limit =
    kernelDestination && input.maxPerIp !== undefined
      ? perIpLimit(names, inbound, input.maxPerIp, udp?.limit)
      : { sets: [], chains: [] };
  const limit6 = ipv6Limit(input);
  return {
    counters: [
      names.handled,
      ...(udp ? [names.udpHandled] : []),
      names.blocked,
      names.bytesIn,
      names.bytesOut,
      ...(udp ? [names.udpBlocked, names.udpBytesIn, names.udpBytesOut] : []),
      ...limit6.counters,
    ].map(counter),
    sets: [
      {
        name: names.banSet,
        type: "ipv4_addr",
        flags: ["interval", "timeout"],
        ...(input.banElements.length ? { elements: input.banElements } : {}),
      },
      // Hosts apart from ranges: nft reads an interval set whole before every change to it (0.2 s at
      // 50,000 elements), a hash set not, so banning one more host stays cheap however many there are.
      {
        name: names.hostBanSet,
        type: "ipv4_addr",
        flags: ["timeout"],
        ...(input.hostBanElements.length ? { elements: input.hostBanElements } : {}),
      },
      ...(input.ipv6 ? ipv6Sets(names, input.ipv6) : []),
      ...limit.sets,
      ...limit6.sets,
    ],
    chains: [
      {
        name: names.filterChain,
        hook: { type: "filter", hook: "prerouting", priority: BAN_PRIORITY },
        rules: [
          ...[names.banSet, names.hostBanSet].flatMap((set) => [
            // A reset, so a banned peer's connect fails at once instead of hanging until its timeout.
            `${bannedBy(set)} ct state new counter name "${names.blocked}" reject with tcp reset`,
            // Packets of a connection that was live when the ban came: each is answered with a reset.
            `${bannedBy(set)} reject with tcp reset`,
            ...(udp?.banned(set) ?? []),
          ]),
          ...(input.ipv6 ? ipv6BanRules(names, input.ipv6.port, udp !== undefined) : []),
        ],
      },
      {
        name: names.natChain,
        hook: { type: "nat", hook: "prerouting", priority: "dstnat" },
        rules: [handOn, ...(udp ? [udp.handOn] : [])],
      },
      {
        name: names.bytesInChain,
        hook: { type: "filter", hook: "prerouting", priority: BYTES_IN_PRIORITY },
        rules: [
          `ct direction original ${ours} counter name "${names.bytesIn}"`,
          ...(udp ? [`ct direction original ${udp.ours} counter name "${names.udpBytesIn}"`] : []),
        ],
      },
      {
        name: names.bytesOutChain,
        hook: { type: "filter", hook: "postrouting", priority: BYTES_OUT_PRIORITY },
        rules: [
          `ct direction reply ${ours} counter name "${names.bytesOut}"`,
          ...(udp ? [`ct direction reply ${udp.ours} counter name "${names.udpBytesOut}"`] : []),
        ],
      },
      ...limit.chains,
      ...limit6.chains,
      ...(udp?.snat ? [udp.snat] : []),
    ],
  };
}

/** The per-/64 limit at the downloader's IPv6 port, where the guard carries one. */
function ipv6Limit(input: TunnelRulesInput): { counters: string[]; sets: SetSpec[]; chains: ChainSpec[] } {
  const guard = input.ipv6;
  if (!guard?.maxPerPrefix) return { counters: [], sets: [], chains: [] };
  return perPrefixLimit6(input.names, guard.port, guard.maxPerPrefix);
}

/**
 * The IPv6 guard alone: ban sets, refusals and the per-/64 limit at the downloader's port, with blocked
 * counters of its own (UDP apart, as a tunnel with UDP counts it). Nothing matches IPv4, so the path's
 * IPv4 forwarding in user space is exactly what it was without the guard.
 */
function ipv6OnlyRules(input: TunnelRulesInput): {
  counters: CounterSpec[];
  sets: SetSpec[];
  chains: ChainSpec[];
} {
  const { names, ipv6 } = input;
  if (!ipv6) throw new Error(`tunnel ${names.prefix}: an IPv6-only guard needs the downloader's IPv6 port`);
  const limit6 = ipv6Limit(input);
  return {
    counters: [names.blocked, names.udpBlocked, ...limit6.counters].map((name) => ({
      name,
      ...input.counts.get(name),
    })),
    sets: [...ipv6Sets(names, ipv6), ...limit6.sets],
    chains: [
      {
        name: names.filterChain,
        hook: { type: "filter", hook: "prerouting", priority: BAN_PRIORITY },
        rules: ipv6BanRules(names, ipv6.port, true),
      },
      ...limit6.chains,
    ],
  };
}

/**
 * The UDP half of a tunnel's rules: the same destination, ban sets, counters and per-address limit as
 * TCP, matched on the UDP local port. Only the first datagram of a flow from another machine goes
 * through the NAT chain; conntrack then carries the flow both ways, so the destination's answers leave
 * from the UDP local port and through the mapping held on it.
 *
 * The mapping's own STUN traffic needs no exception by server address: its Binding requests go out
 * from the UDP local port, and each answer comes back from the address and port it was sent to (we
 * never ask a server to answer from elsewhere), so it is a reply on the conntrack entry of that
 * request and never a new flow the NAT chain would send to the downloader. The ban rules, like TCP's,
 * only look at the original direction, so banning a STUN server's address cannot starve the mapping.
 */
function udpParts(input: TunnelRulesInput, udpPort: number) {
  const { names, destination } = input;
  const inbound = inboundUdpMatch(udpPort);
  const bannedBy = (set: string) => `${inbound} ip saddr @${set} ct direction original`;
  const from = input.udpSnatFrom;
  return {
    handOn:
      destination.kind === "dnat"
        ? dnatRule(inbound, { ip: destination.ip, port: destination.port }, names.udpHandled)
        : // To our relay: the mapping socket under host SNAT takes the peers, not the TCP relay port.
          redirectRule(
            inbound,
            destination.follows ? destination.port : (from ?? destination.port),
            names.udpHandled,
          ),
    // Only the mapping socket's own new flows (STUN): a reply to a redirected peer is NATed back by
    // conntrack already. Loopback traffic never crosses the gateway, so it keeps its port.
    snat:
      from === undefined
        ? undefined
        : ({
            name: names.udpSnatChain,
            hook: { type: "nat", hook: "postrouting", priority: "srcnat" },
            rules: [`oifname != "lo" meta l4proto udp udp sport ${from} masquerade to :${udpPort}`],
          } satisfies ChainSpec),
    // Dropped, first datagram and every later one: UDP has no reset, and an ICMP answer would only
    // tell a banned peer that someone is here.
    banned: (set: string) => [
      `${bannedBy(set)} ct state new counter name "${names.udpBlocked}" drop`,
      `${bannedBy(set)} drop`,
    ],
    ours: `meta l4proto udp ct status dnat ct original proto-dst ${udpPort}`,
    limit: input.udpMaxPerIp === undefined ? undefined : { inbound, maxPerIp: input.udpMaxPerIp },
  };
}

/** The IPv6 sets, typed and flagged as the IPv4 ones, so a temporary ban expires in the kernel alike. */
function ipv6Sets(names: TunnelObjectNames, guard: Ipv6Guard): SetSpec[] {
  return [
    {
      name: names.banSet6,
      type: "ipv6_addr",
      flags: ["interval", "timeout"],
      ...(guard.banElements.length ? { elements: guard.banElements } : {}),
    },
    {
      name: names.hostBanSet6,
      type: "ipv6_addr",
      flags: ["timeout"],
      ...(guard.hostBanElements.length ? { elements: guard.hostBanElements } : {}),
    },
  ];
}

/**
 * Banned IPv6 peers refused at the downloader's own port, TCP with a reset and UDP dropped, counted in
 * the tunnel's blocked counters like IPv4's. Original direction only, as for IPv4: the answers to the
 * downloader's own connections and datagrams from that port are replies and pass. UDP drops count with
 * UDP's where the tunnel carries UDP; otherwise its only blocked counter takes them.
 */
function ipv6BanRules(names: TunnelObjectNames, port: number, udpCounted: boolean): string[] {
  const tcp = inboundTcpMatch6(port);
  const udp = inboundUdpMatch6(port);
  const udpCounter = udpCounted ? names.udpBlocked : names.blocked;
  return [names.banSet6, names.hostBanSet6].flatMap((set) => [
    `${tcp} ip6 saddr @${set} ct direction original ct state new counter name "${names.blocked}" reject with tcp reset`,
    `${tcp} ip6 saddr @${set} ct direction original reject with tcp reset`,
    `${udp} ip6 saddr @${set} ct direction original ct state new counter name "${udpCounter}" drop`,
    `${udp} ip6 saddr @${set} ct direction original drop`,
  ]);
}

/** The guard that keeps route_localnet from opening 127/8 to anything but our own DNAT. */
export const LOCALNET_GUARD_CHAIN = "localnet_guard";

export function localnetGuard(previousValue: string): ChainSpec {
  return {
    name: LOCALNET_GUARD_CHAIN,
    hook: { type: "filter", hook: "input", priority: BYTES_IN_PRIORITY },
    rules: [
      // The comment survives a crash in the kernel, so the next start knows what to restore.
      `iifname != "lo" ip daddr 127.0.0.0/8 ct status ! dnat drop comment "route_localnet was ${previousValue}"`,
    ],
  };
}
