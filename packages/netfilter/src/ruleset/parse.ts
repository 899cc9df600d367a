import type { NftCounter, NftRuleset, NftSet } from "./types.js";

/**
 * Parses the JSON that `nft -j list ruleset|table|set` prints into typed tables, chains, rules, sets
 * and maps. Anything that is not nft's JSON shape throws an error naming what was wrong, so a caller
 * can report "could not read the ruleset" instead of judging an empty one.
 */
export function parseRuleset(text: string): NftRuleset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`nft -j printed invalid JSON: ${(error as Error).message}`);
  }
  const items = (parsed as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(items)) throw new Error("nft -j printed JSON without an `nftables` array");
  const ruleset: NftRuleset = { tables: [], chains: [], rules: [], sets: [], maps: [], counters: [] };
  for (const item of items as Array<Record<string, unknown>>) {
    if (item.table) ruleset.tables.push(item.table as NftRuleset["tables"][number]);
    else if (item.chain) ruleset.chains.push(item.chain as NftRuleset["chains"][number]);
    else if (item.rule) ruleset.rules.push(item.rule as NftRuleset["rules"][number]);
    else if (item.set) ruleset.sets.push(withElements(item.set as NftSet));
    else if (item.map) ruleset.maps.push(withElements(item.map as NftSet));
    else if (item.counter) ruleset.counters.push(item.counter as NftCounter);
  }
  return ruleset;
}

// nft omits `elem` for an empty set; an empty list keeps every reader free of that special case.
function withElements(set: NftSet): NftSet {
  return { ...set, elem: Array.isArray(set.elem) ? set.elem : [] };
}
