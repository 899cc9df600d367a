import type { CommandRunner, HostInfo, SystemFiles } from "@autostun/plugins-api";
import {
  allowCommands,
  evaluateLinux,
  findAppliedRules,
  type LinuxManager,
  managerOf,
} from "./linux/evaluate.js";
import { readLinuxFirewall } from "./linux/read-state.js";
import { evaluateMac, macAllowCommands, readMacFirewall } from "./macos/socketfilterfw.js";
import type { EvaluationNote, LayerDecision } from "./model.js";
import {
  evaluateWindows,
  readWindowsFirewall,
  windowsAllowCommand,
  windowsRemoveCommand,
} from "./windows/windows-firewall.js";

/** `none`: no firewall tool is installed on this Linux host, so nothing here filters. */
export type Manager = LinuxManager | "windows" | "macos" | "none";

export interface PortAssessment {
  port: number;
  /** True when every layer accepts; null when it could not be judged. */
  accepted: boolean | null;
  decisions: LayerDecision[];
  /** Commands that admit this port (empty when nothing blocks it or it must be done in a UI). */
  allow: string[][];
}

/** What the check found on this host, independent of how it is reported. */
export interface Assessment {
  platform: string;
  manager: Manager;
  ports: PortAssessment[];
  notes: EvaluationNote[];
  /** Readings of each source (command or file) and whether it worked. */
  sources: Array<{ source: string; status: string }>;
  /** Rules AutoSTUN added earlier and the commands removing them. */
  applied: Array<{ description: string; removeCommand: string[] }>;
  /** Set when nothing that decides could be read. */
  unreadable?: string;
  mac?: { blockAll: boolean | null };
  extra: Record<string, unknown>;
}

export interface AssessInput {
  host: HostInfo;
  runner: CommandRunner;
  files: SystemFiles;
  ports: number[];
  program: string;
  signal: AbortSignal;
}

/** Reads the firewall of this platform and judges each port. */
export async function assess(input: AssessInput): Promise<Assessment> {
  if (input.host.platform === "win32") return assessWindows(input);
  if (input.host.platform === "darwin") return assessMac(input);
  return assessLinux(input);
}

async function assessLinux({ runner, files, ports, signal }: AssessInput): Promise<Assessment> {
  const state = await readLinuxFirewall(runner, files, signal);
  const readable =
    state.nft !== undefined || state.iptablesLegacy !== undefined || state.iptablesNft !== undefined;
  const notes: EvaluationNote[] = [];
  let manager: Manager = managerOf(state, []);
  const perPort = ports.map((port) => {
    const evaluation = evaluateLinux(state, port);
    notes.push(...evaluation.notes);
    const blocking = evaluation.decisions.filter((d) => d.verdict !== "accept");
    manager = managerOf(state, blocking);
    const accepted = readable ? blocking.length === 0 : null;
    return {
      port,
      accepted,
      decisions: evaluation.decisions,
      allow: accepted === false ? allowCommands(managerOf(state, blocking), state, blocking, port) : [],
    };
  });
  // Every program answered "not installed": no filter can have been set up here, so there is nothing
  // to read and nothing to ask the user for (in particular not administrator rights).
  if (!state.dsm && state.sources.every((source) => source.status === "absent"))
    return {
      platform: "linux",
      manager: "none",
      ports: ports.map((port) => ({ port, accepted: true, decisions: [], allow: [] })),
      notes: [],
      sources: state.sources,
      applied: [],
      extra: {},
    };
  const failures = state.sources
    .filter((s) => s.status !== "ok" && s.status !== "absent")
    .map((s) => `${s.source}: ${s.status}`);
  return {
    platform: state.dsm ? "dsm" : "linux",
    manager,
    ports: perPort,
    notes: dedupe(notes),
    sources: state.sources,
    applied: findAppliedRules(state),
    ...(readable ? {} : { unreadable: failures.join("; ") || "no nft or iptables found" }),
    extra: {
      ...(state.ufw ? { ufw: state.ufw } : {}),
      ...(state.firewalld ? { firewalld: state.firewalld } : {}),
      ...(state.dsm ? { dsm: state.dsm } : {}),
    },
  };
}

async function assessWindows({ runner, ports, program, signal }: AssessInput): Promise<Assessment> {
  const reading = await readWindowsFirewall(runner, signal);
  const state = reading.state;
  return {
    platform: "win32",
    manager: "windows",
    ports: ports.map((port) => {
      const decisions = state ? evaluateWindows(state, port, program) : [];
      const accepted = state ? decisions.every((d) => d.verdict === "accept") : null;
      return {
        port,
        accepted,
        decisions,
        allow: accepted === false ? [windowsAllowCommand(port, program)] : [],
      };
    }),
    notes: [],
    sources: [{ source: "Get-NetFirewallProfile / Get-NetFirewallRule", status: reading.problem ?? "ok" }],
    applied: (state?.rules ?? [])
      .map((r) => /^AutoSTUN (\d+)$/.exec(r.name)?.[1])
      .filter((p): p is string => p !== undefined)
      .map((p) => ({
        description: `Windows rule "AutoSTUN ${p}"`,
        removeCommand: windowsRemoveCommand(Number(p)),
      })),
    ...(reading.problem ? { unreadable: reading.problem } : {}),
    extra: state ? { profiles: state.profiles, activeCategories: state.activeCategories } : {},
  };
}

async function assessMac({ runner, ports, program, signal }: AssessInput): Promise<Assessment> {
  const reading = await readMacFirewall(runner, program, signal);
  const state = reading.state;
  const decision = state ? evaluateMac(state) : "unknown";
  return {
    platform: "darwin",
    manager: "macos",
    ports: ports.map((port) => {
      const known = decision !== "unknown";
      const accepted = known ? decision.verdict === "accept" : null;
      return {
        port,
        accepted,
        decisions: known ? [decision] : [],
        allow: accepted === true ? [] : macAllowCommands(program),
      };
    }),
    notes: [],
    sources: [{ source: "socketfilterfw", status: reading.problem ?? "ok" }],
    applied: [],
    ...(reading.problem ? { unreadable: reading.problem } : {}),
    ...(state ? { mac: { blockAll: state.blockAll } } : {}),
    extra: state ? { socketfilterfw: state.raw } : {},
  };
}

function dedupe(notes: EvaluationNote[]): EvaluationNote[] {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const key = `${n.layer}|${n.rule}|${n.note}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A command as a user would type it: arguments with spaces quoted. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((a) => (/[\s"']/.test(a) && !/^".*"$/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a))
    .join(" ");
}
