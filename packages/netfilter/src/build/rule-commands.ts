import type { ChainRef } from "../ruleset/types.js";

/**
 * The argv inserting one rule at the top of someone else's chain (a user's firewall), marked with
 * `comment` so it can be found and removed later. Used where a table of our own cannot help: a drop in
 * the user's chain would still win over an accept in ours.
 */
export function insertRuleCommand(chain: ChainRef, rule: readonly string[], comment: string): string[] {
  const { family, name } = chain.table;
  return ["nft", "insert", "rule", family, name, chain.name, ...rule, "comment", `"${comment}"`];
}

/** The argv deleting one rule by the handle nft gave it. */
export function deleteRuleCommand(chain: ChainRef, handle: number): string[] {
  const { family, name } = chain.table;
  return ["nft", "delete", "rule", family, name, chain.name, "handle", String(handle)];
}
