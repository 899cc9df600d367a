import { ADDRESSES, IFACES } from "../lab/addresses.js";
import type { NatType } from "../lab/types.js";

/** What the router's nftables ruleset depends on. */
export interface RulesetInput {
  nat: NatType;
  portPreserving: boolean;
  /** The router's WAN address, used as the SNAT source. */
  publicIp: string;
  /** TCP gets a fresh random public port per connection, whatever `nat` does for UDP. */
  tcpSymmetric?: boolean;
}

const PROTOCOLS = ["udp", "tcp"] as const;
/** Long enough that a keep-alive every few seconds holds a mapping; a test lab lives less. */
const MAP_TIMEOUT = "10m";

/**
 * The nftables script (for `nft -f -`) that makes the router behave as `nat` says.
 *
 * NAT1/NAT2 turn Linux's port-restricted conntrack NAT into a cone NAT: a filter chain
 * after SNAT (postrouting priority 200) learns, from each outbound connection's conntrack
 * entry, which inside endpoint owns which public port, and inbound packets are DNATed
 * through that map. NAT1 keys the map by public port alone (anyone may send in); NAT2 by
 * remote address and public port (only hosts the inside already talked to).
 * A second map, inside endpoint -> public port, reuses the learned public port for new
 * destinations, which keeps the mapping endpoint-independent when the router remaps ports.
 */
export function buildRuleset(input: RulesetInput): string {
  const ruleset = natRuleset(input);
  return input.tcpSymmetric ? withSymmetricTcp(ruleset, input) : ruleset;
}

/**
 * Puts a fully-random TCP SNAT in front of the postrouting chain (the first matching NAT rule wins), so
 * TCP mappings depend on the destination while UDP keeps the router's behaviour.
 */
function withSymmetricTcp(ruleset: string, input: RulesetInput): string {
  const rule = `    oifname "${IFACES.routerWan}" meta l4proto tcp snat ip to ${input.publicIp} fully-random`;
  const head = "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;";
  if (ruleset.includes(head)) return ruleset.replace(head, `${head}\n${rule}`);
  return ruleset.replace("table ip lab {", `table ip lab {\n${head}\n${rule}\n  }`);
}

function natRuleset(input: RulesetInput): string {
  switch (input.nat) {
    case "OPEN":
      return openRuleset();
    case "UDP_BLOCKED":
      return udpBlockedRuleset(input);
    case "NAT4":
      return symmetricRuleset(input);
    case "NAT3":
      return portRestrictedRuleset(input);
    case "NAT1":
    case "NAT2":
      return coneRuleset(input, input.nat === "NAT2");
  }
}

/** The fallback SNAT rules: port range for TCP/UDP when remapping, address only otherwise. */
function snatRules(input: RulesetInput, flags = ""): string[] {
  const wan = IFACES.routerWan;
  const tail = flags ? ` ${flags}` : "";
  const plain = `    oifname "${wan}" snat ip to ${input.publicIp}${tail}`;
  if (input.portPreserving) return [plain];
  const { low, high } = ADDRESSES.remapPorts;
  // A port range needs a transport match; ICMP and the rest fall through to the plain rule.
  return [
    `    oifname "${wan}" meta l4proto { tcp, udp } snat ip to ${input.publicIp}:${low}-${high}${tail}`,
    plain,
  ];
}

function table(body: string[]): string {
  // Deleting first makes the script idempotent (the `add` makes the delete always valid).
  return ["add table ip lab", "delete table ip lab", "table ip lab {", ...body, "}", ""].join("\n");
}

/** Maps inside endpoint -> public port, and the SNAT rules that reuse them. */
function stickyMapping(input: RulesetInput): { maps: string[]; snat: string[]; learn: string[] } {
  const wan = IFACES.routerWan;
  const maps: string[] = [];
  const snat: string[] = [];
  const learn: string[] = [];
  for (const p of PROTOCOLS) {
    maps.push(
      `  map out_${p} { type ipv4_addr . inet_service : inet_service; flags dynamic,timeout; timeout ${MAP_TIMEOUT}; }`,
    );
    snat.push(
      `    oifname "${wan}" meta l4proto ${p} snat ip to ${input.publicIp} : ip saddr . ${p} sport map @out_${p}`,
    );
    learn.push(
      `    oifname "${wan}" ct direction original ct status snat meta l4proto ${p} update @out_${p} { ct original ip saddr . ct original proto-src : ct reply proto-dst }`,
    );
  }
  return { maps, snat, learn };
}

function coneRuleset(input: RulesetInput, addressRestricted: boolean): string {
  const wan = IFACES.routerWan;
  const sticky = stickyMapping(input);
  const inbound: string[] = [];
  const learn: string[] = [...sticky.learn];
  const maps: string[] = [...sticky.maps];
  for (const p of PROTOCOLS) {
    const key = addressRestricted ? "ipv4_addr . inet_service" : "inet_service";
    maps.push(
      `  map pub_${p} { type ${key} : ipv4_addr . inet_service; flags dynamic,timeout; timeout ${MAP_TIMEOUT}; }`,
    );
    const lookup = addressRestricted ? `ip saddr . ${p} dport` : `${p} dport`;
    inbound.push(`    iifname "${wan}" meta l4proto ${p} dnat ip to ${lookup} map @pub_${p}`);
    const learnKey = addressRestricted ? "ip daddr . ct reply proto-dst" : "ct reply proto-dst";
    learn.push(
      `    oifname "${wan}" ct direction original ct status snat meta l4proto ${p} update @pub_${p} { ${learnKey} : ct original ip saddr . ct original proto-src }`,
    );
  }
  return table([
    ...maps,
    "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;",
    ...inbound,
    "  }",
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
    ...sticky.snat,
    ...snatRules(input),
    "  }",
    "  chain learn { type filter hook postrouting priority 200; policy accept;",
    ...learn,
    "  }",
  ]);
}

function portRestrictedRuleset(input: RulesetInput): string {
  const wan = IFACES.routerWan;
  if (input.portPreserving) {
    // Exactly what a stock Linux router does.
    return table([
      "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
      `    oifname "${wan}" masquerade`,
      "  }",
    ]);
  }
  // Remapping picks a random port per new connection; the sticky map keeps one public
  // port per inside endpoint so only the filtering, not the mapping, is restrictive.
  const sticky = stickyMapping(input);
  const { low, high } = ADDRESSES.remapPorts;
  return table([
    ...sticky.maps,
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
    ...sticky.snat,
    `    oifname "${wan}" meta l4proto { tcp, udp } masquerade to :${low}-${high}`,
    `    oifname "${wan}" masquerade`,
    "  }",
    "  chain learn { type filter hook postrouting priority 200; policy accept;",
    ...sticky.learn,
    "  }",
  ]);
}

function symmetricRuleset(input: RulesetInput): string {
  return table([
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
    ...snatRules(input, "fully-random"),
    "  }",
  ]);
}

function udpBlockedRuleset(input: RulesetInput): string {
  return table([
    "  chain forward { type filter hook forward priority filter; policy accept;",
    "    meta l4proto udp drop",
    "  }",
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
    ...snatRules(input),
    "  }",
  ]);
}

function openRuleset(): string {
  // Routed, not translated: an empty table keeps teardown and inspection uniform.
  return table(["  chain forward { type filter hook forward priority filter; policy accept; }"]);
}
