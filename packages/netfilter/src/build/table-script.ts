import type { TableRef } from "../ruleset/types.js";
import { assertName } from "./names.js";

/** A named set, or a map when `map` gives the value type. */
export interface SetSpec {
  name: string;
  /** Key type, e.g. `ipv4_addr` or `ipv4_addr . inet_service`. */
  type: string;
  /** Value type of a map, e.g. `inet_service`. */
  map?: string;
  /** e.g. `interval`, `timeout`, `dynamic`. */
  flags?: string[];
  /** Default timeout of its elements, in nft's form (`10m`, `3600s`). */
  timeout?: string;
  /** Initial elements in nft's text form (`192.0.2.7 timeout 60s`); see `elementText`. */
  elements?: string[];
}

/** The hook line of a base chain. */
export interface ChainHook {
  type: "filter" | "nat" | "route";
  hook: "prerouting" | "input" | "forward" | "output" | "postrouting" | "ingress";
  /** A number or a named priority (`filter`, `dstnat`, `srcnat`). */
  priority: number | string;
  policy?: "accept" | "drop";
}

export interface ChainSpec {
  name: string;
  /** Absent for a regular chain reached by jump/goto. */
  hook?: ChainHook;
  /** Each rule in nft's text form, e.g. `ip saddr @banned drop`. */
  rules?: string[];
}

/** A named counter; start values carry counts over when a table is replaced. */
export interface CounterSpec {
  name: string;
  packets?: number;
  bytes?: number;
}

/** A whole table AutoSTUN owns: everything in it is ours, so it is always replaced as a unit. */
export interface TableSpec {
  table: TableRef;
  counters?: CounterSpec[];
  sets?: SetSpec[];
  chains?: ChainSpec[];
}

/**
 * The `nft -f` script that replaces the table with `spec` in one transaction. The leading `add` makes
 * the `delete` valid when the table does not exist yet, and nft commits the whole file or nothing, so
 * the kernel never holds half a table and a failed load leaves the previous one in place.
 */
export function tableScript(spec: TableSpec): string {
  const { family, name } = spec.table;
  const body = [
    ...(spec.counters ?? []).map(counterLine),
    ...(spec.sets ?? []).map(setLine),
    ...(spec.chains ?? []).flatMap(chainLines),
  ];
  return [...removeTableLines(spec.table), `table ${family} ${name} {`, ...body, "}", ""].join("\n");
}

/** The `nft -f` script deleting our table, valid whether or not it exists. */
export function removeTableScript(table: TableRef): string {
  return [...removeTableLines(table), ""].join("\n");
}

function removeTableLines({ family, name }: TableRef): string[] {
  return [`add table ${family} ${name}`, `delete table ${family} ${name}`];
}

/** One named counter declaration line, with its start values when given. */
export function counterLine(counter: CounterSpec): string {
  const packets = counter.packets ?? 0;
  const bytes = counter.bytes ?? 0;
  assertName(counter.name);
  for (const value of [packets, bytes])
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`counter ${counter.name}: start values must be whole numbers >= 0`);
  const start = packets || bytes ? ` packets ${packets} bytes ${bytes}` : "";
  return `  counter ${counter.name} {${start} }`;
}

/** One set or map declaration line, as it goes inside a `table … { }` block. */
export function setLine(set: SetSpec): string {
  const kind = set.map ? "map" : "set";
  const type = set.map ? `${set.type} : ${set.map}` : set.type;
  const parts = [`type ${type};`];
  if (set.flags?.length) parts.push(`flags ${set.flags.join(",")};`);
  if (set.timeout) parts.push(`timeout ${set.timeout};`);
  if (set.elements?.length) parts.push(`elements = { ${set.elements.join(", ")} };`);
  return `  ${kind} ${set.name} { ${parts.join(" ")} }`;
}

function chainLines(chain: ChainSpec): string[] {
  const hook = chain.hook;
  const head = hook
    ? `  chain ${chain.name} { type ${hook.type} hook ${hook.hook} priority ${hook.priority}; policy ${hook.policy ?? "accept"};`
    : `  chain ${chain.name} {`;
  return [head, ...(chain.rules ?? []).map((rule) => `    ${rule}`), "  }"];
}
