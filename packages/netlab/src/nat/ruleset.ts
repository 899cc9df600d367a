import { type ChainSpec, type SetSpec, type TableSpec, tableScript } from "@autostun/netfilter";
import { ADDRESSES, IFACES } from "../lab/addresses.js";
import type { LabPortPool, NatType } from "../lab/types.js";

/** What the router's nftables ruleset depends on. */
export interface RulesetInput {
  nat: NatType;
  portPreserving: boolean;
  /** The router's WAN address, used as the SNAT source. */
  publicIp: string;
  /** TCP gets a fresh random public port per connection, whatever `nat` does for UDP. */
  tcpSymmetric?: boolean;
  /**
   * Remap into this block of public ports (a port-block CGNAT) instead of `ADDRESSES.remapPorts`;
   * only used when `portPreserving` is false. Absent or false: the usual range, no extra flag.
   */
  portPool?: LabPortPool | false;
}

/** The public ports a remapping router hands out, and the SNAT flag that makes the choice random. */
function remapRange(input: RulesetInput): { low: number; high: number; random: boolean } {
  if (!input.portPool) return { ...ADDRESSES.remapPorts, random: false };
  const { first, size, random } = input.portPool;
  return { low: first, high: first + size - 1, random };
}

/** Joins SNAT flags; `fully-random` already randomises the port, so `random` is dropped beside it. */
function withFlags(base: string, flags: string, random: boolean): string {
  const all = [flags, random && !flags.includes("fully-random") ? "random" : ""].filter(Boolean);
  return all.length ? `${base} ${all.join(" ")}` : base;
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
  return tableScript(routerTable(input));
}

/** The router's table `ip lab` as a structure, for loading through `@autostun/netfilter`. */
export function routerTable(input: RulesetInput): TableSpec {
  const table = natTable(input);
  return input.tcpSymmetric ? withSymmetricTcp(table, input) : table;
}

/**
 * Puts a fully-random TCP SNAT in front of the postrouting chain (the first matching NAT rule wins), so
 * TCP mappings depend on the destination while UDP keeps the router's behaviour.
 */
function withSymmetricTcp(table: TableSpec, input: RulesetInput): TableSpec {
  const rule = `oifname "${IFACES.routerWan}" meta l4proto tcp snat ip to ${input.publicIp} fully-random`;
  const chains = table.chains ?? [];
  const postrouting = chains.find((chain) => chain.name === "postrouting");
  if (postrouting)
    return {
      ...table,
      chains: chains.map((chain) =>
        chain === postrouting ? { ...chain, rules: [rule, ...(chain.rules ?? [])] } : chain,
      ),
    };
  return { ...table, chains: [natChain("postrouting", [rule]), ...chains] };
}

function natTable(input: RulesetInput): TableSpec {
  switch (input.nat) {
    case "OPEN":
      return openTable();
    case "UDP_BLOCKED":
      return udpBlockedTable(input);
    case "NAT4":
      return symmetricTable(input);
    case "NAT3":
      return portRestrictedTable(input);
    case "NAT1":
    case "NAT2":
      return coneTable(input, input.nat === "NAT2");
  }
}

/** The fallback SNAT rules: port range for TCP/UDP when remapping, address only otherwise. */
function snatRules(input: RulesetInput, flags = ""): string[] {
  const wan = IFACES.routerWan;
  const plain = withFlags(`oifname "${wan}" snat ip to ${input.publicIp}`, flags, false);
  if (input.portPreserving) return [plain];
  const { low, high, random } = remapRange(input);
  // A port range needs a transport match; ICMP and the rest fall through to the plain rule.
  return [
    withFlags(
      `oifname "${wan}" meta l4proto { tcp, udp } snat ip to ${input.publicIp}:${low}-${high}`,
      flags,
      random,
    ),
    plain,
  ];
}

const LAB_TABLE = { family: "ip", name: "lab" } as const;

function table(sets: SetSpec[], chains: ChainSpec[]): TableSpec {
  return { table: LAB_TABLE, sets, chains };
}

function natChain(name: "prerouting" | "postrouting", rules: string[]): ChainSpec {
  const priority = name === "prerouting" ? "dstnat" : "srcnat";
  return { name, hook: { type: "nat", hook: name, priority }, rules };
}

/** After SNAT has picked the public port, so conntrack already knows it. */
function learnChain(rules: string[]): ChainSpec {
  return { name: "learn", hook: { type: "filter", hook: "postrouting", priority: 200 }, rules };
}

function dynamicMap(name: string, type: string, map: string): SetSpec {
  return { name, type, map, flags: ["dynamic", "timeout"], timeout: MAP_TIMEOUT };
}

/** Maps inside endpoint -> public port, and the SNAT rules that reuse them. */
function stickyMapping(input: RulesetInput): { maps: SetSpec[]; snat: string[]; learn: string[] } {
  const wan = IFACES.routerWan;
  const maps: SetSpec[] = [];
  const snat: string[] = [];
  const learn: string[] = [];
  for (const p of PROTOCOLS) {
    maps.push(dynamicMap(`out_${p}`, "ipv4_addr . inet_service", "inet_service"));
    snat.push(
      `oifname "${wan}" meta l4proto ${p} snat ip to ${input.publicIp} : ip saddr . ${p} sport map @out_${p}`,
    );
    learn.push(
      `oifname "${wan}" ct direction original ct status snat meta l4proto ${p} update @out_${p} { ct original ip saddr . ct original proto-src : ct reply proto-dst }`,
    );
  }
  return { maps, snat, learn };
}

function coneTable(input: RulesetInput, addressRestricted: boolean): TableSpec {
  const wan = IFACES.routerWan;
  const sticky = stickyMapping(input);
  const inbound: string[] = [];
  const learn: string[] = [...sticky.learn];
  const maps: SetSpec[] = [...sticky.maps];
  for (const p of PROTOCOLS) {
    const key = addressRestricted ? "ipv4_addr . inet_service" : "inet_service";
    maps.push(dynamicMap(`pub_${p}`, key, "ipv4_addr . inet_service"));
    const lookup = addressRestricted ? `ip saddr . ${p} dport` : `${p} dport`;
    inbound.push(`iifname "${wan}" meta l4proto ${p} dnat ip to ${lookup} map @pub_${p}`);
    const learnKey = addressRestricted ? "ip daddr . ct reply proto-dst" : "ct reply proto-dst";
    learn.push(
      `oifname "${wan}" ct direction original ct status snat meta l4proto ${p} update @pub_${p} { ${learnKey} : ct original ip saddr . ct original proto-src }`,
    );
  }
  return table(maps, [
    natChain("prerouting", inbound),
    natChain("postrouting", [...sticky.snat, ...snatRules(input)]),
    learnChain(learn),
  ]);
}

function portRestrictedTable(input: RulesetInput): TableSpec {
  const wan = IFACES.routerWan;
  // Exactly what a stock Linux router does.
  if (input.portPreserving) return table([], [natChain("postrouting", [`oifname "${wan}" masquerade`])]);
  // Remapping picks a random port per new connection; the sticky map keeps one public
  // port per inside endpoint so only the filtering, not the mapping, is restrictive.
  const sticky = stickyMapping(input);
  const { low, high, random } = remapRange(input);
  return table(sticky.maps, [
    natChain("postrouting", [
      ...sticky.snat,
      withFlags(`oifname "${wan}" meta l4proto { tcp, udp } masquerade to :${low}-${high}`, "", random),
      `oifname "${wan}" masquerade`,
    ]),
    learnChain(sticky.learn),
  ]);
}

function symmetricTable(input: RulesetInput): TableSpec {
  return table([], [natChain("postrouting", snatRules(input, "fully-random"))]);
}

function udpBlockedTable(input: RulesetInput): TableSpec {
  return table(
    [],
    [
      {
        name: "forward",
        hook: { type: "filter", hook: "forward", priority: "filter" },
        rules: ["meta l4proto udp drop"],
      },
      natChain("postrouting", snatRules(input)),
    ],
  );
}

function openTable(): TableSpec {
  // Routed, not translated: an empty table keeps teardown and inspection uniform.
  return table([], [{ name: "forward", hook: { type: "filter", hook: "forward", priority: "filter" } }]);
}
