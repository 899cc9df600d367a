import type { CommandRunner, SystemFiles } from "@autostun/plugins-api";
import {
  allowIpv6Commands,
  evaluateLinux,
  findAppliedRules,
  managerOf,
} from "../firewall-inbound/linux/evaluate.js";
import { type LinuxFirewallState, readLinuxFirewall } from "../firewall-inbound/linux/read-state.js";
import type { EvaluationNote, LayerDecision } from "../firewall-inbound/model.js";

/** One transport's fate at this host's own firewall: accepted by every layer, dropped, or unknown (null). */
export interface TransportJudgement {
  accepted: boolean | null;
  decisions: LayerDecision[];
}

/** What this host's own firewall does with unsolicited inbound IPv6 to the downloader's port. */
export interface HostFirewall6 {
  port: number;
  /** The tool the firewall is managed with, `none` when no firewall program is installed. */
  manager: string;
  tcp: TransportJudgement;
  udp: TransportJudgement;
  /** Commands admitting IPv6 TCP and UDP to exactly `port`; empty when nothing blocks it. */
  allow: string[][];
  notes: EvaluationNote[];
  sources: Array<{ source: string; status: string }>;
  /** Rules carrying our `autostun` comment in the IPv6 tables. */
  applied: string[];
  /** Set when neither nft nor ip6tables could be read. */
  unreadable?: string;
}

/** Reads nftables, ip6tables (both backends), ufw and firewalld, and judges `port`. */
export async function readHostFirewall6(
  runner: CommandRunner,
  files: SystemFiles,
  port: number,
  signal: AbortSignal,
): Promise<HostFirewall6> {
  return judgeHostFirewall6(await readFirewallState6(runner, files, signal), port);
}

/** The IPv6 side of this host's firewall, as read (ip6tables' dumps in place of iptables'). */
export function readFirewallState6(
  runner: CommandRunner,
  files: SystemFiles,
  signal: AbortSignal,
): Promise<LinuxFirewallState> {
  return readLinuxFirewall(runner, files, signal, { ipv6: true });
}

/**
 * Whether this host lets in unsolicited IPv6 UDP to the ports the STUN probes go out from (an
 * ephemeral port; `port` is the first of `ip_local_port_range`). When it does not, the probes'
 * unsolicited answers die here, and a "dependent" filtering measures this host, not the router.
 */
export interface ProbePortJudgement {
  port: number;
  accepted: boolean | null;
  /** The layer that drops them, `layer: rule`. */
  droppedBy?: string;
}

export function judgeProbePort(state: LinuxFirewallState, port: number): ProbePortJudgement {
  const readable =
    state.nft !== undefined || state.iptablesLegacy !== undefined || state.iptablesNft !== undefined;
  if (!readable) return { port, accepted: null };
  const first = evaluateLinux(state, { family: 6, protocol: "udp", port }).decisions.find(
    (d) => d.verdict !== "accept",
  );
  return first
    ? { port, accepted: false, droppedBy: `${first.layer}: ${first.decidedBy}` }
    : { port, accepted: true };
}

/** The first port of `/proc/sys/net/ipv4/ip_local_port_range` (IPv6 shares it), 32768 when unreadable. */
export async function ephemeralPort(files: SystemFiles): Promise<number> {
  const text = await files.readText("/proc/sys/net/ipv4/ip_local_port_range").catch(() => undefined);
  const first = Number(text?.trim().split(/\s+/)[0]);
  return Number.isInteger(first) && first > 0 && first < 65536 ? first : 32768;
}

/** Pure: the IPv6 verdict of every layer for TCP and UDP to `port`, and the narrow rule where one drops. */
export function judgeHostFirewall6(state: LinuxFirewallState, port: number): HostFirewall6 {
  const sources = state.sources;
  if (!state.dsm && sources.length > 0 && sources.every((s) => s.status === "absent"))
    return {
      port,
      manager: "none",
      tcp: { accepted: true, decisions: [] },
      udp: { accepted: true, decisions: [] },
      allow: [],
      notes: [],
      sources,
      applied: [],
    };
  const readable =
    state.nft !== undefined || state.iptablesLegacy !== undefined || state.iptablesNft !== undefined;
  const notes: EvaluationNote[] = [];
  const judge = (protocol: "tcp" | "udp") => {
    const evaluation = evaluateLinux(state, { family: 6, protocol, port });
    notes.push(...evaluation.notes);
    const blocking = evaluation.decisions.filter((d) => d.verdict !== "accept");
    return { decisions: evaluation.decisions, blocking, accepted: readable ? blocking.length === 0 : null };
  };
  const tcp = judge("tcp");
  const udp = judge("udp");
  const manager = managerOf(state, [...tcp.blocking, ...udp.blocking]);
  const allow: string[][] = [];
  if (manager === "firewalld" && (tcp.accepted === false || udp.accepted === false)) {
    const zone = state.firewalld?.defaultZone ?? state.firewalld?.activeZones[0] ?? "public";
    for (const [protocol, judged] of [
      ["tcp", tcp],
      ["udp", udp],
    ] as const)
      if (judged.accepted === false)
        allow.push(["firewall-cmd", "--permanent", `--zone=${zone}`, `--add-port=${port}/${protocol}`]);
    allow.push(["firewall-cmd", "--reload"]);
  } else {
    if (tcp.accepted === false) allow.push(...allowIpv6Commands(manager, tcp.blocking, port, "tcp"));
    if (udp.accepted === false) allow.push(...allowIpv6Commands(manager, udp.blocking, port, "udp"));
  }
  const failures = sources
    .filter((s) => s.status !== "ok" && s.status !== "absent")
    .map((s) => `${s.source}: ${s.status}`);
  const seen = new Set<string>();
  return {
    port,
    manager,
    tcp: { accepted: tcp.accepted, decisions: tcp.decisions },
    udp: { accepted: udp.accepted, decisions: udp.decisions },
    allow,
    notes: notes.filter((n) => {
      const key = `${n.layer}|${n.rule}|${n.note}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    sources,
    applied: findAppliedRules(state)
      .filter((rule) => rule.kind !== "ufw")
      .map((rule) => rule.description),
    ...(readable ? {} : { unreadable: failures.join("; ") || "no nft or ip6tables found" }),
  };
}

/** The first layer that does not accept, per transport, as `layer: rule` for a summary. */
export function blockingLayers(firewall: HostFirewall6): { protocol: "TCP" | "UDP"; reason: string }[] {
  const out: { protocol: "TCP" | "UDP"; reason: string }[] = [];
  for (const [protocol, judged] of [
    ["TCP", firewall.tcp],
    ["UDP", firewall.udp],
  ] as const) {
    const first = judged.decisions.find((d) => d.verdict !== "accept");
    if (judged.accepted === false && first)
      out.push({ protocol, reason: `${first.layer}: ${first.decidedBy}` });
  }
  return out;
}
