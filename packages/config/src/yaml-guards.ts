import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import { type ConfigProblem, formatKey } from "./errors.js";
import { MAX_EXPANDED_VALUES } from "./limits.js";

/** The only explicit tags a config may carry: they name what plain YAML would infer anyway. */
const PLAIN_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

function shownTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
}

type Visit = (node: Node, path: PropertyKey[]) => void;

/** Walks in document order (keys before values), which is the order in which anchors become visible. */
function walk(node: unknown, path: PropertyKey[], enter: Visit, leave: Visit): void {
  if (!node || typeof node !== "object") return;
  const current = node as Node;
  enter(current, path);
  if (isMap(current)) {
    for (const pair of current.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : "(complex key)";
      walk(pair.key, [...path, key], enter, leave);
      walk(pair.value, [...path, key], enter, leave);
    }
  } else if (isSeq(current)) {
    for (const [index, item] of current.items.entries()) walk(item, [...path, index], enter, leave);
  }
  leave(current, path);
}

/**
 * Finds what a YAML parser accepts but a config must not: tags that ask for anything beyond plain values
 * (`!!js/function`, `!!binary`, custom `!tags`), aliases that refer to their own container, and aliases
 * that multiply the document past {@link MAX_EXPANDED_VALUES} (a "billion laughs"). Runs before the
 * document is turned into values, so the bomb is never expanded.
 */
export function unsafeYaml(doc: Document, file: string, lines: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (node: Node) => `${file}:${lines.linePos(node.range?.[0] ?? 0).line}`;
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  let expanded = 0;
  let bombReported = false;

  walk(
    doc.contents,
    [],
    (node, path) => {
      if (!isAlias(node) && node.anchor) anchors.set(node.anchor, node);
      if (!isAlias(node) && node.tag && !PLAIN_TAGS.has(node.tag)) {
        problems.push({
          key: formatKey(path),
          source: at(node),
          message: `the tag ${shownTag(node.tag)} is not allowed: a config holds plain values only (text, numbers, true/false, lists, mappings); remove the tag`,
        });
      }
    },
    (node, path) => {
      if (!isAlias(node)) {
        let size = 1;
        if (isMap(node))
          for (const pair of node.items) size += sizeOf(pair.key, sizes) + sizeOf(pair.value, sizes);
        else if (isSeq(node)) for (const item of node.items) size += sizeOf(item, sizes);
        sizes.set(node, size);
        return;
      }
      const target = anchors.get(node.source);
      // An unknown anchor is reported by the YAML library itself when the values are built.
      if (!target) return;
      const size = sizes.get(target);
      if (size === undefined) {
        problems.push({
          key: formatKey(path),
          source: at(node),
          message: `the alias *${node.source} refers to a value that contains it, which never ends; write the value out instead`,
        });
        sizes.set(node, 1);
        return;
      }
      sizes.set(node, size);
      expanded += size;
      if (expanded > MAX_EXPANDED_VALUES && !bombReported) {
        bombReported = true;
        problems.push({
          key: formatKey(path),
          source: at(node),
          message: `aliases make this file expand to more than ${MAX_EXPANDED_VALUES} values (a YAML alias bomb); write the values out instead of nesting aliases`,
        });
      }
    },
  );
  return problems;
}

function sizeOf(node: unknown, sizes: Map<Node, number>): number {
  return node && typeof node === "object" ? (sizes.get(node as Node) ?? 1) : 0;
}
