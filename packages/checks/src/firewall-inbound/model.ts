import type { NftFamily } from "@autostun/netfilter";

/** What one filtering layer does with a new inbound TCP connection to a port. */
export type LayerVerdict = "accept" | "drop" | "reject";

/** The outcome of one layer (an nftables base chain, an iptables INPUT chain, a Windows profile…). */
export interface LayerDecision {
  /** e.g. `nftables inet filter input`, `iptables-legacy filter INPUT`, `Windows profile Public`. */
  layer: string;
  verdict: LayerVerdict;
  /** The rule (or policy) that decided, as text a user can find in their own ruleset. */
  decidedBy: string;
  /** Where a narrow allow rule goes for this layer, so a remedy can insert it. */
  target?: RuleTarget;
}

/** A place an allow rule can be inserted. */
export type RuleTarget =
  | { kind: "nftables"; family: NftFamily; table: string; chain: string }
  /** `ipv6` marks ip6tables' INPUT; absent for iptables (IPv4). */
  | { kind: "iptables"; backend: "legacy" | "nft"; chain: string; ipv6?: true };

/**
 * The packet a layer is judged for: a new connection (TCP) or a first datagram (UDP) from a peer
 * somewhere on the internet to `port` on this host, over IPv4 or IPv6.
 */
export interface InboundPacket {
  family: 4 | 6;
  protocol: "tcp" | "udp";
  port: number;
}

/** The packet `firewall.inbound` has always judged: IPv4 TCP. */
export function ipv4Tcp(port: number): InboundPacket {
  return { family: 4, protocol: "tcp", port };
}

/**
 * A three-valued answer to "does this rule's condition hold for a new TCP connection from an internet
 * peer to port P?". `unknown` is for expressions we cannot judge; such rules are treated as not
 * matching and noted, so a verdict never rests silently on a guess.
 */
export type Truth = true | false | "unknown";

/** A rule we could not judge or a guess we had to make, listed in the facts. */
export interface EvaluationNote {
  layer: string;
  rule: string;
  note: string;
}

export function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  if (values.includes("unknown")) return "unknown";
  return true;
}

export function not(value: Truth): Truth {
  return value === "unknown" ? "unknown" : !value;
}

/** Whether a port list / range text like `22,80,6000:6010` (or `6000-6010`) contains `port`. */
export function portListHas(text: string, port: number): boolean {
  return text.split(",").some((part) => {
    const [lo, hi] = part.trim().split(/[:-]/).map(Number);
    if (lo === undefined || Number.isNaN(lo)) return false;
    return hi === undefined || Number.isNaN(hi) ? port === lo : port >= lo && port <= hi;
  });
}
