/**
 * `npm run bench -- nat`: wall time of a full nat.type check (UDP mapping + filtering, TCP
 * mapping) measured inside the NAT lab, beside a classic sequential tester measured in the
 * same run. Both must reach the lab's real NAT type, or the bench fails loudly.
 */
import type { ChildProcess } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLab, type Lab, type LabStunServer, NAT_TYPES, type NatType } from "@autostun/netlab";
import type { NatSample, NatWorkerArgs, NatWorkerResult } from "./nat-protocol.js";
import { type Summary, summarize } from "./stats.js";
import type { Bench } from "./types.js";

/** What the nat.type check passes to discoverNat unless its plugin config says otherwise. */
const CHECK_TIMEOUT_MS = 8000;
const CHECK_RTO = 200;
/** The per-probe wait of classic testers. */
const CLASSIC_PROBE_TIMEOUT_MS = 3000;
const TARGET_MEDIAN_MS = 1000;

const WORKER = fileURLToPath(new URL("./nat-worker.ts", import.meta.url));

interface Options {
  nats: NatType[];
  stuns: Exclude<LabStunServer, "none">[];
  runs: number;
  baselineRuns: number | undefined;
  rto: number;
  /** UDP loss in % for a second series of autostun runs in the same lab, after the lossless ones. */
  loss: number | undefined;
  lossRuns: number;
}

interface LabReport {
  label: string;
  nat: NatType;
  ours: NatSample[];
  baseline: NatSample[];
  /** autostun again with the router dropping `--loss` % of UDP. */
  lossy?: NatSample[];
}

const USAGE = `usage: npm run bench -- nat [--nat NAT1,NAT3] [--stun ours,coturn] [--runs 7] [--baseline-runs N]
  --nat            lab NAT types to measure (${NAT_TYPES.join(", ")}); default NAT1,NAT3
  --stun           STUN server in the lab: ours, coturn or both; default ours,coturn
  --runs           timed runs of the nat.type discovery per lab; default 7
  --baseline-runs  timed runs of the classic tester per lab; default 7 where every probe is
                   answered (NAT1, OPEN), 3 elsewhere (each unanswered probe costs 3 s)
  --rto            initial UDP retransmission timeout given to discoverNat; default ${CHECK_RTO}, the
                   nat.type check's default (its plugin config key \`rto\` changes it)
  --loss           also run autostun with the router dropping this % of UDP at random (each way),
                   in the same lab right after the lossless runs; reports verdict accuracy
  --loss-runs      runs under loss per lab; default 20`;

function listOf<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const items = text.split(",").map((s) => s.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      throw new Error(`bench nat: ${flag} "${item}" is not one of ${allowed.join(", ")}`);
  }
  return items as T[];
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`bench nat: ${flag} must be a whole number >= 1, got "${text}"`);
  return n;
}

function percentage(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 99)
    throw new Error(`bench nat: --loss must be a whole percentage 1-99, got "${text}"`);
  return n;
}

function parseOptions(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: {
      nat: { type: "string", default: "NAT1,NAT3" },
      stun: { type: "string", default: "ours,coturn" },
      runs: { type: "string", default: "7" },
      "baseline-runs": { type: "string" },
      rto: { type: "string", default: String(CHECK_RTO) },
      loss: { type: "string" },
      "loss-runs": { type: "string", default: "20" },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    nats: listOf(values.nat, NAT_TYPES, "--nat"),
    stuns: listOf(values.stun, ["ours", "coturn"] as const, "--stun"),
    runs: positiveInt(values.runs, "--runs"),
    rto: positiveInt(values.rto, "--rto"),
    loss: values.loss === undefined ? undefined : percentage(values.loss),
    lossRuns: positiveInt(values["loss-runs"], "--loss-runs"),
    baselineRuns:
      values["baseline-runs"] === undefined
        ? undefined
        : positiveInt(values["baseline-runs"], "--baseline-runs"),
  };
}

/** Collects a child's output; kills it if it outlives `timeoutMs`. */
function finish(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\n(bench: worker killed after ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A fresh lab's LAN link can stay without carrier for a moment after createLab returns; until it
 * is up, Node's os.networkInterfaces() leaves it out and an OPEN host cannot recognise its own
 * public address. A real host's link is up, so wait for that before timing anything.
 */
async function waitForLanLink(lab: Lab, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = "";
  while (performance.now() < deadline) {
    last = (await lab.exec("lan", "ip", ["-br", "addr"])).stdout;
    const line = last.split("\n").find((l) => l.includes(` ${lab.lanIp}/`));
    if (line && /\sUP\s/.test(line)) return;
    await delay(50);
  }
  throw new Error(
    `bench nat: the LAN link of ${lab.namespaces.lan} is not up after ${timeoutMs} ms:\n${last}`,
  );
}

async function measure(
  lab: Lab,
  nat: NatType,
  options: Options,
  runs: { ours: number; baseline?: number },
): Promise<NatWorkerResult> {
  const args: NatWorkerArgs = {
    udpServers: [...lab.stunServers.udp],
    tcpServers: [...lab.stunServers.tcp],
    timeoutMs: CHECK_TIMEOUT_MS,
    rto: options.rto,
    oursRuns: runs.ours,
    baselineRuns: runs.baseline ?? options.baselineRuns ?? (nat === "NAT1" || nat === "OPEN" ? 7 : 3),
    baselineProbeTimeoutMs: CLASSIC_PROBE_TIMEOUT_MS,
  };
  // Resolved here so the worker finds tsx whatever the current directory is.
  const tsx = import.meta.resolve("tsx");
  const child = lab.spawn("lan", process.execPath, ["--import", tsx, WORKER, JSON.stringify(args)]);
  // Generous: every run may hit its cap, the classic one has up to 8 probes of 3 s.
  const budget =
    30_000 + (args.oursRuns + 1) * CHECK_TIMEOUT_MS + args.baselineRuns * 8 * CLASSIC_PROBE_TIMEOUT_MS;
  const result = await finish(child, budget);
  if (result.code !== 0)
    throw new Error(
      `bench nat: the worker in ${lab.namespaces.lan} exited with ${result.code}:\n${result.stderr.trim()}`,
    );
  const line = result.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as NatWorkerResult;
  } catch {
    throw new Error(`bench nat: the worker printed no JSON result:\n${result.stdout}\n${result.stderr}`);
  }
}

/** NAT types whose lab router maps TCP endpoint-independently; a different TCP verdict is wrong. */
function expectedTcpMapping(nat: NatType): string | undefined {
  return nat === "NAT1" || nat === "NAT2" || nat === "NAT3" || nat === "OPEN"
    ? "ENDPOINT_INDEPENDENT"
    : undefined;
}

function wrongVerdicts(report: LabReport): string[] {
  const tcp = expectedTcpMapping(report.nat);
  const out: string[] = [];
  for (const [method, samples] of [
    ["autostun", report.ours],
    ["classic", report.baseline],
    ["autostun under loss", report.lossy ?? []],
  ] as const) {
    samples.forEach((s, i) => {
      // Under loss UNKNOWN is an allowed answer (it says the evidence was too thin); a wrong type is not.
      if (method === "autostun under loss" && s.natType === "UNKNOWN") return;
      if (s.natType !== report.nat)
        out.push(`${report.label} ${method} run ${i + 1}: natType ${s.natType}, the lab is ${report.nat}`);
      else if (tcp && s.tcp.mapping !== tcp)
        out.push(`${report.label} ${method} run ${i + 1}: TCP mapping ${s.tcp.mapping}, the lab's is ${tcp}`);
    });
  }
  return out;
}

const SHORT: Record<string, string> = {
  ENDPOINT_INDEPENDENT: "EI",
  ADDRESS_DEPENDENT: "AD",
  ADDRESS_AND_PORT_DEPENDENT: "APD",
  UNKNOWN: "?",
};

function verdictText(samples: NatSample[]): string {
  const kinds = new Map<string, number>();
  for (const s of samples) {
    const text = `${s.natType} (udp ${SHORT[s.udp.mapping]}/${SHORT[s.udp.filtering]}, tcp ${SHORT[s.tcp.mapping]})`;
    kinds.set(text, (kinds.get(text) ?? 0) + 1);
  }
  return [...kinds].map(([text, n]) => (kinds.size > 1 ? `${n}x ${text}` : text)).join("; ");
}

const ms = (n: number) => `${Math.round(n)} ms`;

function row(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) =>
      i === 0 || i === 1 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
    )
    .join("  ");
}

function printReport(reports: LabReport[]): { targetMet: boolean } {
  const header = ["lab", "method", "runs", "median", "p90", "min", "max", "verdict"];
  const labelWidth = Math.max(3, ...reports.map((r) => r.label.length));
  const widths = [labelWidth, 9, 4, 8, 8, 8, 8, 0];
  console.log(row(header, widths));
  let targetMet = true;
  const ratios: string[] = [];
  for (const r of reports) {
    const stats: [string, NatSample[], Summary][] = [
      ["autostun", r.ours, summarize(r.ours.map((s) => s.ms))],
      ["classic", r.baseline, summarize(r.baseline.map((s) => s.ms))],
    ];
    for (const [method, samples, s] of stats) {
      console.log(
        row(
          [
            r.label,
            method,
            String(s.runs),
            ms(s.median),
            ms(s.p90),
            ms(s.min),
            ms(s.max),
            verdictText(samples),
          ],
          widths,
        ),
      );
    }
    const ours = stats[0]![2].median;
    const classic = stats[1]![2].median;
    if (ours >= TARGET_MEDIAN_MS) targetMet = false;
    ratios.push(
      `  ${r.label.padEnd(labelWidth)}  classic/autostun = ${(classic / ours).toFixed(1)}x   autostun median ${ms(ours)} ${ours < TARGET_MEDIAN_MS ? "<" : ">="} ${TARGET_MEDIAN_MS} ms`,
    );
  }
  console.log("");
  console.log("median speed-up and target:");
  for (const line of ratios) console.log(line);
  console.log(`target (median under ${TARGET_MEDIAN_MS} ms in every lab): ${targetMet ? "MET" : "NOT MET"}`);
  return { targetMet };
}

/** Accuracy and median under loss beside the lossless median of the same lab and run. */
function printLossReport(reports: LabReport[], loss: number): void {
  console.log("");
  console.log(`with ${loss} % of UDP dropped at random by the router (each way), same labs, right after:`);
  const labelWidth = Math.max(3, ...reports.map((r) => r.label.length));
  const header = ["lab", "runs", "right", "UNKNOWN", "wrong", "median", "lossless median", "p90"];
  const widths = [labelWidth, 4, 5, 7, 5, 8, 15, 8];
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(widths[i]!) : h.padStart(widths[i]!))).join("  "));
  for (const r of reports) {
    const lossy = r.lossy ?? [];
    if (lossy.length === 0) continue;
    const right = lossy.filter((s) => s.natType === r.nat).length;
    const unknown = lossy.filter((s) => s.natType === "UNKNOWN").length;
    const stats = summarize(lossy.map((s) => s.ms));
    const cells = [
      r.label,
      String(lossy.length),
      String(right),
      String(unknown),
      String(lossy.length - right - unknown),
      ms(stats.median),
      ms(summarize(r.ours.map((s) => s.ms)).median),
      ms(stats.p90),
    ];
    console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  }
}

async function runNatBench(args: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(message.startsWith("bench nat:") ? message : `bench nat: ${message}`);
    console.error(USAGE);
    return 2;
  }
  console.log(
    `nat.type in the NAT lab: discoverNat as the check calls it (rto ${options.rto} ms, cap ${CHECK_TIMEOUT_MS} ms, ` +
      `run in the LAN namespace behind nftables)\nclassic: the same probes one after another, ${CLASSIC_PROBE_TIMEOUT_MS / 1000} s timeout each\n`,
  );
  const reports: LabReport[] = [];
  for (const stun of options.stuns) {
    for (const nat of options.nats) {
      const label = `${nat} / ${stun}`;
      process.stderr.write(`bench nat: measuring ${label}...\n`);
      const lab = await createLab({ nat, stun });
      try {
        await waitForLanLink(lab);
        const result = await measure(lab, nat, options, { ours: options.runs });
        const report: LabReport = { label, nat, ...result };
        if (options.loss !== undefined) {
          process.stderr.write(`bench nat: ${label} again with ${options.loss} % UDP loss...\n`);
          await lab.setLoss({ udp: options.loss });
          report.lossy = (await measure(lab, nat, options, { ours: options.lossRuns, baseline: 0 })).ours;
        }
        reports.push(report);
      } finally {
        await lab.teardown();
      }
    }
  }
  printReport(reports);
  if (options.loss !== undefined) printLossReport(reports, options.loss);
  const wrong = reports.flatMap(wrongVerdicts);
  if (wrong.length > 0) {
    console.error("");
    console.error("!!!!!!!! WRONG NAT VERDICTS: these timings measure a wrong answer !!!!!!!!");
    for (const w of wrong) console.error(`!!! ${w}`);
    return 1;
  }
  return 0;
}

/** The nat bench, for the dispatcher. */
export const natBench: Bench = {
  name: "nat",
  description: "median wall time of a full nat.type check in the NAT lab vs a classic sequential tester",
  run: runNatBench,
};
