/**
 * A short nft-like rendering of a rule's JSON statements, enough for a user to find the rule in
 * `nft list ruleset`. Not a full printer: an expression it does not know is shown by its JSON key.
 */
export function describeRule(expr: readonly unknown[]): string {
  return expr
    .map((raw) => {
      const statement = raw as Record<string, unknown>;
      if (statement.match) {
        const match = statement.match as { op?: string; left: unknown; right: unknown };
        const op = match.op && match.op !== "==" && match.op !== "in" ? ` ${match.op}` : "";
        return `${describeValue(match.left)}${op} ${describeValue(match.right)}`;
      }
      const key = Object.keys(statement)[0] ?? "(empty statement)";
      const target = (statement[key] as { target?: string } | null)?.target;
      return target ? `${key} ${target}` : key;
    })
    .join(" ");
}

function describeValue(value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return `{ ${value.map(describeValue).join(", ")} }`;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (v.payload) {
      const p = v.payload as { protocol?: string; field?: string };
      return `${p.protocol} ${p.field}`;
    }
    if (v.meta) return `meta ${(v.meta as { key?: string }).key}`;
    if (v.ct) return `ct ${(v.ct as { key?: string }).key}`;
    if (v.set) return describeValue(v.set);
    if (Array.isArray(v.range)) return `${v.range[0]}-${v.range[1]}`;
    if (v.prefix) {
      const p = v.prefix as { addr?: string; len?: number };
      return `${p.addr}/${p.len}`;
    }
    return Object.keys(v)[0] ?? "(empty expression)";
  }
  return String(value);
}
