import { randomDropRule, type TableSpec } from "@autostun/netfilter";
import type { LabLoss } from "../lab/types.js";

/** A table of its own, so reloading the NAT table (changePublicIp) or flushing its maps keeps the loss. */
export const LOSS_TABLE = { family: "ip", name: "labloss" } as const;

/**
 * Drops in the router's forward hook, so requests going out and answers coming in each cross it once:
 * with `udp: 30` a request and its answer both survive with probability 0.7 × 0.7 = 0.49. The priority
 * puts it before the NAT types' own filter chains (UDP_BLOCKED), which changes nothing for them.
 */
export function lossTable(loss: LabLoss): TableSpec {
  const rules = (["udp", "tcp"] as const).flatMap((protocol) => {
    const rule = randomDropRule(protocol, loss[protocol] ?? 0);
    return rule ? [rule] : [];
  });
  return {
    table: LOSS_TABLE,
    chains: [{ name: "forward", hook: { type: "filter", hook: "forward", priority: -10 }, rules }],
  };
}

/** Whether `loss` drops anything at all. */
export function dropsAnything(loss: LabLoss): boolean {
  return (loss.udp ?? 0) > 0 || (loss.tcp ?? 0) > 0;
}
