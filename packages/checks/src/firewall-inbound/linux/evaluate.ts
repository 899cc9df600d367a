import { deleteRuleCommand, insertRuleCommand } from "@autostun/netfilter";
import { type EvaluationNote, type InboundPacket, ipv4Tcp, type LayerDecision } from "../model.js";
import { evaluateIptables, hasFilterContent } from "./iptables.js";
import { evaluateNftables } from "./nftables.js";
import type { LinuxFirewallState } from "./read-state.js";

/** A rule AutoSTUN added earlier (recognised by its `autostun` comment), and how to take it out again. */
export interface AppliedRule {
  kind: "nftables" | "iptables-legacy" | "iptables-nft" | "ufw";
  description: string;
  removeCommand: string[];
}

/**
 * Every layer's decision for inbound TCP to `port` (or for `packet`: IPv6, UDP), and the notes of what
 * could not be judged. An IPv6 packet needs a state read with `ipv6: true`, whose dumps are ip6tables'.
 */
export function evaluateLinux(state: LinuxFirewallState, port: number | InboundPacket) {
  const packet = typeof port === "number" ? ipv4Tcp(port) : port;
  if ((packet.family === 6) !== (state.family === 6))
    throw new Error(`an IPv${packet.family} packet cannot be judged on the other family's iptables dumps`);
  const decisions: LayerDecision[] = [];
  const notes: EvaluationNote[] = [];
  const skip = skippedNftTables(state);
  if (state.nft) {
    const nft = evaluateNftables(state.nft, packet, skip);
    decisions.push(...nft.decisions);
    notes.push(...nft.notes);
  }
  for (const [backend, table] of [
    ["legacy", state.iptablesLegacy],
    ["nft", state.iptablesNft],
  ] as const) {
    if (!table || !hasFilterContent(table)) continue;
    const result = evaluateIptables(table, packet, backend);
    decisions.push(result.decision);
    notes.push(...result.notes);
  }
  return { decisions, notes };
}

/**
 * iptables-nft keeps its rules in nftables' `ip filter` table (ip6tables-nft in `ip6 filter`); they are
 * judged from its own dump instead.
 */
function skippedNftTables(state: LinuxFirewallState): Set<string> {
  if (!state.iptablesNft) return new Set();
  return new Set([state.family === 6 ? "ip6 filter" : "ip filter"]);
}

/** Rules carrying our `autostun` comment, from every source that could be read. */
export function findAppliedRules(state: LinuxFirewallState): AppliedRule[] {
  const applied: AppliedRule[] = [];
  const skip = skippedNftTables(state);
  for (const rule of state.nft?.rules ?? []) {
    if (!rule.comment?.startsWith("autostun") || skip.has(`${rule.family} ${rule.table}`)) continue;
    applied.push({
      kind: "nftables",
      description: `nftables ${rule.family} ${rule.table} ${rule.chain} handle ${rule.handle}`,
      removeCommand: deleteRuleCommand(
        { table: { family: rule.family, name: rule.table }, name: rule.chain },
        rule.handle,
      ),
    });
  }
  for (const [kind, table] of [
    ["iptables-legacy", state.iptablesLegacy],
    ["iptables-nft", state.iptablesNft],
  ] as const) {
    const program = state.family === 6 ? `ip6${kind}` : kind;
    for (const rule of table?.rules ?? []) {
      if (!/--comment "?autostun/.test(rule.line)) continue;
      applied.push({
        kind,
        description: `${program}: ${rule.line}`,
        removeCommand: [program, "-D", rule.chain, ...rule.args],
      });
    }
  }
  for (const port of state.ufw?.autostunRules ?? []) {
    applied.push({
      kind: "ufw",
      description: `ufw allow ${port}/tcp`,
      removeCommand: ["ufw", "delete", "allow", `${port}/tcp`],
    });
  }
  return applied;
}

/** Which tool the user manages the firewall with; it decides the form of the narrow rule. */
export type LinuxManager = "dsm" | "ufw" | "firewalld" | "nftables" | "iptables";

export function managerOf(state: LinuxFirewallState, blocking: LayerDecision[]): LinuxManager {
  if (state.dsm) return "dsm";
  if (state.ufw?.active) return "ufw";
  if (state.firewalld?.running) return "firewalld";
  if (blocking.length > 0)
    return blocking.some((d) => d.target?.kind === "nftables") ? "nftables" : "iptables";
  const iptablesInUse = hasFilterContent(state.iptablesLegacy) || hasFilterContent(state.iptablesNft);
  return iptablesInUse || !state.nft ? "iptables" : "nftables";
}

/** The commands that admit TCP `port` and nothing else, in the tool the user manages the firewall with. */
export function allowCommands(
  manager: LinuxManager,
  state: LinuxFirewallState,
  blocking: LayerDecision[],
  port: number,
): string[][] {
  switch (manager) {
    case "dsm":
      return [];
    case "ufw":
      return [["ufw", "allow", `${port}/tcp`, "comment", "autostun"]];
    case "firewalld": {
      const zone = state.firewalld?.defaultZone ?? state.firewalld?.activeZones[0] ?? "public";
      return [
        ["firewall-cmd", "--permanent", `--zone=${zone}`, `--add-port=${port}/tcp`],
        ["firewall-cmd", "--reload"],
      ];
    }
    default:
      return narrowRuleCommands(blocking, port, ipv4Tcp(port));
  }
}

/**
 * The commands that admit IPv6 `protocol` to `port` and nothing else, in the tool the user manages the
 * firewall with. In an inet table the rule names IPv6, so the IPv4 side stays as it was.
 */
export function allowIpv6Commands(
  manager: LinuxManager,
  blocking: LayerDecision[],
  port: number,
  protocol: "tcp" | "udp",
): string[][] {
  switch (manager) {
    case "dsm":
    case "firewalld":
      // firewalld's ports open both families; the caller adds the one reload after all of them.
      return [];
    case "ufw":
      return [["ufw", "allow", `${port}/${protocol}`, "comment", "autostun"]];
    default:
      return narrowRuleCommands(blocking, port, { family: 6, protocol, port });
  }
}

/**
 * One rule per blocking layer, in front of what blocks, admitting exactly `packet`: nftables in that
 * chain (an inet table's rule names IPv6 so its IPv4 side stays as it was), iptables or ip6tables in
 * the backend that blocks.
 */
function narrowRuleCommands(blocking: LayerDecision[], port: number, packet: InboundPacket): string[][] {
  return blocking.flatMap((decision) => {
    const target = decision.target;
    if (target?.kind === "nftables")
      return [
        insertRuleCommand(
          { table: { family: target.family, name: target.table }, name: target.chain },
          [
            ...(packet.family === 6 && target.family === "inet" ? ["meta", "nfproto", "ipv6"] : []),
            packet.protocol,
            "dport",
            String(port),
            "accept",
          ],
          "autostun",
        ),
      ];
    if (target?.kind === "iptables")
      return [
        [
          `${packet.family === 6 ? "ip6tables" : "iptables"}-${target.backend}`,
          "-I",
          target.chain,
          "-p",
          packet.protocol,
          "--dport",
          String(port),
          "-m",
          "comment",
          "--comment",
          "autostun",
          "-j",
          "ACCEPT",
        ],
      ];
    return [];
  });
}
