/**
 * `npm run bench -- startup [--runs 7] [--settle 15]` (root): how long the daemon takes from exec until its
 * GraphQL API answers, and its RSS once idle, for the built JavaScript that production runs
 * (apps/server/bin/autostun.mjs) against the baseline measured in the same run: the same sources through
 * tsx (bin/autostun-dev.mjs, what production ran before issue 18). The daemon is built first, so both run
 * today's code.
 *
 * Every run gets a fresh network namespace holding only loopback and a fresh data folder: the embedded
 * defaults' first diagnosis cannot reach a public server, and no run warms another's SQLite. Runs alternate
 * between the two entries so machine load falls on both alike.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildDaemon } from "../apps/server/scripts/build.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const ENTRIES = {
  built: fileURLToPath(new URL("../apps/server/bin/autostun.mjs", import.meta.url)),
  tsx: fileURLToPath(new URL("../apps/server/bin/autostun-dev.mjs", import.meta.url)),
} as const;
const WORKER = fileURLToPath(new URL("./startup-worker.ts", import.meta.url));

interface Sample {
  servingMs: number;
  servingRss: number;
  idleRss: number;
}

function once(entry: string, settleMs: number): Sample {
  const namespace = `autostun-bench-start-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const data = mkdtempSync(join(tmpdir(), "autostun-bench-start-"));
  execFileSync("ip", ["netns", "add", namespace]);
  try {
    execFileSync("ip", ["-n", namespace, "link", "set", "lo", "up"]);
    const output = execFileSync(
      "ip",
      [
        "netns",
        "exec",
        namespace,
        process.execPath,
        "--import",
        "tsx",
        WORKER,
        entry,
        data,
        String(settleMs),
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    const result = JSON.parse(output.trim().split("\n").at(-1) as string) as Sample & { error?: string };
    if (result.error) throw new Error(result.error);
    return result;
  } finally {
    execFileSync("ip", ["netns", "del", namespace]);
    rmSync(data, { recursive: true, force: true });
  }
}

const fmt = (value: number, digits = 0) => value.toFixed(digits);

export const startupBench: Bench = {
  name: "startup",
  description:
    "exec until the GraphQL API answers, and idle RSS: built JavaScript vs the sources through tsx",
  async run(args) {
    if (process.getuid?.() !== 0) {
      console.error("bench startup: needs root (every run gets a network namespace of its own)");
      return 1;
    }
    const { values } = parseArgs({
      args: [...args],
      options: { runs: { type: "string", default: "7" }, settle: { type: "string", default: "15" } },
    });
    const runs = Number(values.runs);
    const settleMs = Number(values.settle) * 1000;
    const built = await buildDaemon();
    console.log(`built ${built.files} files (${fmt(built.bytes / 1024 / 1024, 1)} MiB) into ${built.dist}`);
    const samples: Record<keyof typeof ENTRIES, Sample[]> = { built: [], tsx: [] };
    // One untimed start of each first: the first exec after a build reads every file from disk.
    for (const entry of Object.values(ENTRIES)) once(entry, 0);
    for (let i = 0; i < runs; i++)
      for (const name of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) {
        const sample = once(ENTRIES[name], settleMs);
        samples[name].push(sample);
        console.log(
          `run ${i + 1} ${name.padEnd(5)} serving ${fmt(sample.servingMs)} ms, RSS ${fmt(sample.servingRss, 1)} MiB at serving, ${fmt(sample.idleRss, 1)} MiB idle`,
        );
      }
    console.log(
      `\n| entry | exec -> API answers, median (min-max) | RSS at serving | RSS idle after ${values.settle} s |`,
    );
    console.log("|---|---|---|---|");
    for (const name of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) {
      const time = summarize(samples[name].map((s) => s.servingMs));
      const serving = summarize(samples[name].map((s) => s.servingRss));
      const idle = summarize(samples[name].map((s) => s.idleRss));
      console.log(
        `| ${name} | ${fmt(time.median)} ms (${fmt(time.min)}-${fmt(time.max)}) | ${fmt(serving.median, 1)} MiB | ${fmt(idle.median, 1)} MiB (${fmt(idle.min, 1)}-${fmt(idle.max, 1)}) |`,
      );
    }
    const ratio =
      summarize(samples.tsx.map((s) => s.servingMs)).median /
      summarize(samples.built.map((s) => s.servingMs)).median;
    console.log(
      `\nbuilt starts ${fmt(ratio, 1)}x faster than tsx (medians, ${runs} runs each, load ${fmt(loadAverage(), 1)})`,
    );
    return 0;
  },
};

function loadAverage(): number {
  return Number(execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ")[0]);
}
