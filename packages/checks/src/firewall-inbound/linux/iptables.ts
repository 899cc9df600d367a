import {
  and,
  type EvaluationNote,
  type InboundPacket,
  ipv4Tcp,
  type LayerDecision,
  not,
  portListHas,
  type Truth,
} from "../model.js";

/** One table of `iptables-save` output: chain policies and rules, in order. */
export interface IptablesTable {
  policies: Map<string, string>;
  rules: Array<{ chain: string; args: string[]; line: string }>;
}

/** Parses `iptables-save` text into its tables (`filter`, `nat`, …). */
export function parseIptablesSave(text: string): Map<string, IptablesTable> {
  const tables = new Map<string, IptablesTable>();
  let current: IptablesTable | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) {
      current = { policies: new Map(), rules: [] };
      tables.set(line.slice(1), current);
    } else if (line.startsWith(":") && current) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name && policy) current.policies.set(name, policy);
    } else if (line.startsWith("-A ") && current) {
      const args = splitArgs(line);
      const chain = args[1];
      if (chain) current.rules.push({ chain, args: args.slice(2), line });
    }
  }
  return tables;
}

/** Splits a rule line like a shell would for double-quoted words (`--comment "a b"`). */
function splitArgs(line: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) out.push(m[1] ?? m[2] ?? "");
  return out;
}

/** True when an `iptables-save` dump holds any rule or a non-ACCEPT policy (an empty one is no filter). */
export function hasFilterContent(table: IptablesTable | undefined): boolean {
  if (!table) return false;
  return table.rules.length > 0 || [...table.policies.values()].some((p) => p !== "ACCEPT" && p !== "-");
}

const NON_TERMINAL = new Set([
  "LOG",
  "NFLOG",
  "ULOG",
  "MARK",
  "CONNMARK",
  "CT",
  "TRACE",
  "AUDIT",
  "SET",
  "TCPMSS",
]);

/**
 * Follows the filter table's INPUT chain for a new connection to `port` from an internet peer (IPv4 TCP
 * unless a packet says otherwise; an IPv6 packet is judged on an `ip6tables-save` dump).
 * `backend` only labels the layer (`iptables-legacy` keeps its own tables; `iptables-nft` writes into
 * nftables, whose copy of the rules is then skipped by the nftables evaluation).
 */
export function evaluateIptables(
  table: IptablesTable,
  port: number | InboundPacket,
  backend: "legacy" | "nft",
): { decision: LayerDecision; notes: EvaluationNote[] } {
  const packet = typeof port === "number" ? ipv4Tcp(port) : port;
  const layer = `${packet.family === 6 ? "ip6tables" : "iptables"}-${backend} filter INPUT`;
  const notes: EvaluationNote[] = [];
  const walk = (
    chain: string,
    depth: number,
  ): { verdict: LayerDecision["verdict"]; rule: string } | "continue" => {
    if (depth > 32) return "continue";
    for (const rule of table.rules.filter((r) => r.chain === chain)) {
      const { truth, target, goto } = judgeRule(rule.args, packet);
      if (truth === false || !target) continue;
      if (truth === "unknown") {
        notes.push({ layer, rule: rule.line, note: "match not understood; assumed not to match" });
        continue;
      }
      if (target === "RETURN") return "continue";
      if (target === "ACCEPT") return { verdict: "accept", rule: rule.line };
      if (target === "DROP") return { verdict: "drop", rule: rule.line };
      if (target === "REJECT") return { verdict: "reject", rule: rule.line };
      if (NON_TERMINAL.has(target)) continue;
      if (table.policies.has(target) || table.rules.some((r) => r.chain === target)) {
        const inner = walk(target, depth + 1);
        if (inner !== "continue") return inner;
        if (goto) return "continue";
        continue;
      }
      notes.push({ layer, rule: rule.line, note: `target ${target} not understood; rule skipped` });
    }
    return "continue";
  };
  const target = {
    kind: "iptables" as const,
    backend,
    chain: "INPUT",
    ...(packet.family === 6 ? { ipv6: true as const } : {}),
  };
  const outcome = walk("INPUT", 0);
  if (outcome !== "continue")
    return { decision: { layer, verdict: outcome.verdict, decidedBy: outcome.rule, target }, notes };
  const policy = table.policies.get("INPUT") === "DROP" ? "drop" : "accept";
  return {
    decision: { layer, verdict: policy, decidedBy: `chain INPUT policy ${policy.toUpperCase()}`, target },
    notes,
  };
}

function judgeRule(args: string[], packet: InboundPacket): { truth: Truth; target?: string; goto: boolean } {
  const { port } = packet;
  const protocolNumber = packet.protocol === "tcp" ? "6" : "17";
  const truths: Truth[] = [];
  let target: string | undefined;
  let goto = false;
  let negate = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "!") {
      negate = true;
      continue;
    }
    const value = args[i + 1] ?? "";
    const push = (truth: Truth) => {
      truths.push(negate ? not(truth) : truth);
      negate = false;
    };
    switch (arg) {
      case "-j":
      case "-g":
        target = value;
        goto = arg === "-g";
        i++;
        // Target options (`--reject-with`, `--log-prefix` …) follow; nothing after decides a match.
        i = args.length;
        break;
      case "-p":
      case "--protocol":
        push(value === packet.protocol || value === protocolNumber || value === "all");
        i++;
        break;
      case "-i":
      case "--in-interface":
        push(value !== "lo");
        i++;
        break;
      case "-o":
        i++;
        break;
      case "-s":
      case "--source":
        push(value === "0.0.0.0/0" || value === "::/0");
        i++;
        break;
      case "-d":
      case "--destination":
        push(true);
        i++;
        break;
      case "--dport":
      case "--destination-port":
      case "--dports":
      case "--destination-ports":
      case "--ports":
        push(portListHas(value, port));
        i++;
        break;
      case "--sport":
      case "--source-port":
      case "--sports":
        push(false);
        i++;
        break;
      case "--ctstate":
      case "--state":
        push(value.split(",").includes("NEW"));
        i++;
        break;
      case "--dst-type":
        push(value === "LOCAL" || value === "UNICAST");
        i++;
        break;
      case "--src-type":
        push(value !== "LOCAL" && value !== "BROADCAST" && value !== "MULTICAST");
        i++;
        break;
      case "--pkt-type":
        push(value === "host" || value === "unicast");
        i++;
        break;
      case "--match-set":
        push(false); // a peer from anywhere is not in an address set
        i += 2;
        break;
      case "--icmp-type":
      case "--icmpv6-type":
      case "--rt-type":
        push(false);
        i++;
        break;
      case "--syn":
        push(packet.protocol === "tcp");
        break;
      case "--tcp-flags":
        push(packet.protocol === "tcp");
        i += 2;
        break;
      case "--set":
        break;
      case "--update":
      case "--rcheck":
        push(false); // a peer's first connection has no history in `recent`
        break;
      case "-m":
      case "--comment":
      case "--limit":
      case "--limit-burst":
      case "--name":
      case "--mask":
      case "--seconds":
      case "--hitcount":
        i++;
        break;
      case "--rsource":
      case "--log-uid":
        break;
      default:
        if (arg.startsWith("-")) push("unknown");
    }
  }
  return { truth: and(truths), ...(target ? { target } : {}), goto };
}
