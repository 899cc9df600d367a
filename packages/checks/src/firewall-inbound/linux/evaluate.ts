import { deleteRuleCommand, insertRuleCommand } from "@autostun/netfilter";
import type { EvaluationNote, LayerDecision } from "../model.js";
import { evaluateIptables, hasFilterContent } from "./iptables.js";
import { evaluateNftables } from "./nftables.js";
import type { LinuxFirewallState } from "./read-state.js";

/** A rule AutoSTUN added earlier (recognised by its `autostun` comment), and how to take it out again. */
export interface AppliedRule {
  kind: "nftables" | "iptables-legacy" | "iptables-nft" | "ufw";
  description: string;
  removeCommand: string[];
}

/** Every layer's decision for inbound TCP to `port`, and the notes of what could not be judged. */
export function evaluateLinux(state: LinuxFirewallState, port: number) {
  const decisions: LayerDecision[] = [];
  const notes: EvaluationNote[] = [];
  const skip = skippedNftTables(state);
  if (state.nft) {
    const nft = evaluateNftables(state.nft, port, skip);
    decisions.push(...nft.decisions);
    notes.push(...nft.notes);
  }
  for (const [backend, table] of [
    ["legacy", state.iptablesLegacy],
    ["nft", state.iptablesNft],
  ] as const) {
    if (!table || !hasFilterContent(table)) continue;
    const result = evaluateIptables(table, port, backend);
    decisions.push(result.decision);
    notes.push(...result.notes);
  }
  return { decisions, notes };
}

/** iptables-nft keeps its rules in nftables' `ip filter` table; they are judged from its own dump instead. */
function skippedNftTables(state: LinuxFirewallState): Set<string> {
  return state.iptablesNft ? new Set(["ip filter"]) : new Set();
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
    for (const rule of table?.rules ?? []) {
      if (!/--comment "?autostun/.test(rule.line)) continue;
      applied.push({
        kind,
        description: `${kind}: ${rule.line}`,
        removeCommand: [kind, "-D", rule.chain, ...rule.args],
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
      return blocking.flatMap((decision) => {
        const target = decision.target;
        if (target?.kind === "nftables")
          return [
            insertRuleCommand(
              { table: { family: target.family, name: target.table }, name: target.chain },
              ["tcp", "dport", String(port), "accept"],
              "autostun",
            ),
          ];
        if (target?.kind === "iptables")
          return [
            [
              `iptables-${target.backend}`,
              "-I",
              target.chain,
              "-p",
              "tcp",
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
}
