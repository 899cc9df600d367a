import { describeRule, type NftFamily, type NftRule, type NftRuleset } from "@autostun/netfilter";
import {
  and,
  type EvaluationNote,
  type InboundPacket,
  ipv4Tcp,
  type LayerDecision,
  not,
  type Truth,
} from "../model.js";

type Outcome = { kind: "verdict"; verdict: LayerDecision["verdict"]; rule: string } | { kind: "continue" };

const MAX_DEPTH = 32;

/**
 * Walks every filter base chain of the packet's family (ip or ip6, and inet) on the prerouting and input hooks, in hook and priority order,
 * as the kernel would for a new TCP connection to `port`: an accept ends one base chain, a drop or
 * reject ends the packet, falling off a base chain applies its policy.
 * `skipTables` holds `family table` names evaluated elsewhere (iptables-nft's own tables).
 */
export function evaluateNftables(
  ruleset: NftRuleset,
  port: number | InboundPacket,
  skipTables: ReadonlySet<string> = new Set(),
): { decisions: LayerDecision[]; notes: EvaluationNote[] } {
  const packet = typeof port === "number" ? ipv4Tcp(port) : port;
  const own = packet.family === 4 ? "ip" : "ip6";
  const notes: EvaluationNote[] = [];
  const hookOrder = ["prerouting", "input"];
  const bases = ruleset.chains
    .filter((c) => (c.family === own || c.family === "inet") && c.hook && hookOrder.includes(c.hook))
    .filter((c) => (c.type ?? "filter") === "filter" && !skipTables.has(`${c.family} ${c.table}`))
    .sort(
      (a, b) =>
        hookOrder.indexOf(a.hook ?? "") - hookOrder.indexOf(b.hook ?? "") || (a.prio ?? 0) - (b.prio ?? 0),
    );
  const decisions: LayerDecision[] = [];
  for (const base of bases) {
    const layer = `nftables ${base.family} ${base.table} ${base.name}`;
    const walker = new ChainWalker(ruleset, base.family, base.table, packet, layer, notes);
    const outcome = walker.walk(base.name, 0);
    const target = { kind: "nftables" as const, family: base.family, table: base.table, chain: base.name };
    if (outcome.kind === "verdict")
      decisions.push({ layer, verdict: outcome.verdict, decidedBy: outcome.rule, target });
    else {
      const policy = base.policy === "drop" ? "drop" : "accept";
      decisions.push({ layer, verdict: policy, decidedBy: `chain ${base.name} policy ${policy}`, target });
    }
  }
  return { decisions, notes };
}

class ChainWalker {
  constructor(
    private readonly ruleset: NftRuleset,
    private readonly family: NftFamily,
    private readonly table: string,
    private readonly packet: InboundPacket,
    private readonly layer: string,
    private readonly notes: EvaluationNote[],
  ) {}

  walk(chain: string, depth: number): Outcome {
    if (depth > MAX_DEPTH) return { kind: "continue" };
    const rules = this.ruleset.rules.filter(
      (r) => r.family === this.family && r.table === this.table && r.chain === chain,
    );
    for (const rule of rules) {
      const outcome = this.applyRule(rule, depth);
      if (outcome === "return") return { kind: "continue" };
      if (outcome.kind === "verdict") return outcome;
    }
    return { kind: "continue" };
  }

  private applyRule(rule: NftRule, depth: number): Outcome | "return" {
    const conditions: Truth[] = [];
    const describe = () => `${rule.chain} #${rule.handle}: ${describeRule(rule.expr)}`;
    for (const statement of rule.expr as Array<Record<string, unknown>>) {
      if ("match" in statement) {
        conditions.push(this.match(statement.match as MatchExpr));
        continue;
      }
      const holds = and(conditions);
      if (holds === false) return { kind: "continue" };
      const terminal = terminalOf(statement);
      if (!terminal) {
        // `add @s { key ct count over N }`: a per-address connection limit. A peer's first connection is
        // never over it, so the rule does not stand between that peer and the port.
        if (limitsConnectionsPerPeer(statement)) return { kind: "continue" };
        if (isPassThrough(statement)) continue;
        this.notes.push({
          layer: this.layer,
          rule: describe(),
          note: "statement not understood; rule skipped",
        });
        return { kind: "continue" };
      }
      if (holds === "unknown") {
        this.notes.push({
          layer: this.layer,
          rule: describe(),
          note: "condition not understood; assumed not to match",
        });
        return { kind: "continue" };
      }
      switch (terminal.kind) {
        case "accept":
        case "drop":
        case "reject":
          return { kind: "verdict", verdict: terminal.kind, rule: describe() };
        case "return":
          return "return";
        case "jump":
        case "goto": {
          const inner = this.walk(terminal.target, depth + 1);
          if (inner.kind === "verdict") return inner;
          // A goto that falls through ends the calling chain too.
          return terminal.kind === "goto" ? "return" : { kind: "continue" };
        }
      }
    }
    return { kind: "continue" };
  }

  private match(expr: MatchExpr): Truth {
    const op = expr.op ?? "==";
    const truth = this.compare(expr.left, expr.right);
    if (op === "!=") return not(truth);
    if (op === "==" || op === "in") return truth;
    return "unknown";
  }

  private compare(left: unknown, right: unknown): Truth {
    const l = left as Record<string, Record<string, unknown>>;
    if (l.payload) {
      const { protocol, field } = l.payload as { protocol?: string; field?: string };
      if (protocol === this.packet.protocol || protocol === "th") {
        if (field === "dport") return this.valueIn(this.packet.port, right);
        if (field === "sport") return false; // a peer's source port is random: a rule on it never covers every peer
        return "unknown";
      }
      if (protocol === (this.packet.family === 4 ? "ip" : "ip6")) {
        if (field === "protocol" || field === "nexthdr") return this.valueIn(this.packet.protocol, right);
        if (field === "saddr") return !!matchesEverywhere(right);
        if (field === "daddr") return true; // addressed to this host: assumed to be one of its own addresses
        return "unknown";
      }
      // The other transport, the other IP version, icmp, icmpv6 …: a header this packet does not carry.
      return false;
    }
    if (l.meta) {
      const key = (l.meta as { key?: string }).key;
      if (key === "l4proto") return this.valueIn(this.packet.protocol, right);
      if (key === "nfproto") return this.valueIn(this.packet.family === 4 ? "ipv4" : "ipv6", right);
      if (key === "iifname" || key === "iif") return this.valueIn("lo", right) !== true;
      if (key === "iiftype") return this.valueIn("ether", right);
      if (key === "pkttype") return this.valueIn("host", right);
      return "unknown";
    }
    if (l.ct) {
      const key = (l.ct as { key?: string }).key;
      if (key === "state") return this.valueIn("new", right);
      if (key === "status") return false; // dnat/snat/confirmed: not true of a fresh inbound connection
      return "unknown";
    }
    if (l.fib) return true; // `fib daddr type local`: the packet is for this host
    if (l["&"]) return "unknown";
    return "unknown";
  }

  /** Whether `value` equals or is a member of an nft right-hand side: literal, list, anonymous or named set, range. */
  private valueIn(value: string | number, right: unknown): Truth {
    if (typeof right === "string" && right.startsWith("@")) {
      const set = this.ruleset.sets.find(
        (s) => s.family === this.family && s.table === this.table && s.name === right.slice(1),
      );
      if (!set) return "unknown";
      return anyOf(set.elem.map((e) => elementHas(e, value)));
    }
    if (Array.isArray(right)) return anyOf(right.map((e) => elementHas(e, value)));
    if (right && typeof right === "object" && "set" in right) {
      const items = (right as { set: unknown }).set;
      return anyOf((Array.isArray(items) ? items : [items]).map((e) => elementHas(e, value)));
    }
    return elementHas(right, value);
  }
}

interface MatchExpr {
  op?: string;
  left: unknown;
  right: unknown;
}

function anyOf(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes("unknown") ? "unknown" : false;
}

function elementHas(element: unknown, value: string | number): Truth {
  if (typeof element === "number" || typeof element === "string") return element === value;
  if (element && typeof element === "object") {
    const e = element as Record<string, unknown>;
    if (Array.isArray(e.range) && typeof value === "number") {
      const [lo, hi] = e.range as [number, number];
      return value >= lo && value <= hi;
    }
    if (e.elem && typeof e.elem === "object") return elementHas((e.elem as { val?: unknown }).val, value);
  }
  return "unknown";
}

/** True only for a prefix that covers every address (`0.0.0.0/0`, `::/0`). */
function matchesEverywhere(right: unknown): boolean {
  const prefix = (right as { prefix?: { addr?: string; len?: number } } | null)?.prefix;
  return prefix?.len === 0;
}

type Terminal = { kind: "accept" | "drop" | "reject" | "return" } | { kind: "jump" | "goto"; target: string };

function terminalOf(statement: Record<string, unknown>): Terminal | undefined {
  if ("accept" in statement) return { kind: "accept" };
  if ("drop" in statement) return { kind: "drop" };
  if ("reject" in statement) return { kind: "reject" };
  if ("return" in statement) return { kind: "return" };
  for (const kind of ["jump", "goto"] as const) {
    const target = (statement[kind] as { target?: string } | undefined)?.target;
    if (target) return { kind, target };
  }
  return undefined;
}

const PASS_THROUGH = [
  "counter",
  "log",
  "limit",
  "meta",
  "mangle",
  "ct",
  "notrack",
  "quota",
  "set",
  "comment",
];

/** A set statement that goes on only while the key already holds more than N (N >= 1) connections. */
function limitsConnectionsPerPeer(statement: Record<string, unknown>): boolean {
  const set = statement.set as { stmt?: Array<Record<string, unknown>> } | undefined;
  return (set?.stmt ?? []).some((inner) => {
    const count = inner["ct count"] as { val?: unknown; inv?: unknown } | undefined;
    return count?.inv === true && typeof count.val === "number" && count.val >= 1;
  });
}

/** Statements that do not decide the packet's fate (counting, logging, marking). */
function isPassThrough(statement: Record<string, unknown>): boolean {
  return Object.keys(statement).every((key) => PASS_THROUGH.includes(key));
}
