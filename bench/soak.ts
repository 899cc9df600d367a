/**
 * `npm run bench -- soak [--minutes 5] [--rate 5] [--loss-every 3] [--sample 30]` (root): `autostun
 * serve` in the LAN of a NAT1 lab whose router remaps ports, for as long as asked. Peers in the WAN churn
 * short connections through the tunnel at a bounded rate, the router loses its mappings every few
 * minutes, and a graphql-ws client stays subscribed throughout. Every sample reads the daemon's own
 * /metrics (RSS, open descriptors, active handles, event-loop lag) and the size of its SQLite files;
 * the end compares them with the targets: RSS growth under 10 % after warm-up, no descriptor growth,
 * every recovery under 15 s, the database bounded by the connection retention.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLab } from "@autostun/netlab";
import { LAB_ECHO, scrapeInLan, startLabServices } from "../apps/server/src/lab/testing/lab-services.js";
import { LanDaemon } from "../apps/server/src/lab/testing/lan-daemon.js";
import { parseMetrics, type Sample, sampleValue } from "../apps/server/src/metrics/testing/scrape.js";
import type { Bench } from "./types.js";

const TSX = import.meta.resolve("tsx");
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RECOVERY_TARGET_MS = 15_000;
/** How long a forced loss may go unanswered before the soak calls it a missed recovery. */
const RECOVERY_GIVE_UP_MS = 120_000;

interface Row {
  at: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  handles: number;
  lagP99Ms: number;
  dbKiB: number;
  handled: number;
  churnOk: number;
  churnFailed: number;
  events: number;
}

interface TunnelNews {
  at: number;
  state: string;
  publicAddress: { ip: string; port: number } | null;
  recoveryCount: number;
}

interface Recovery {
  lostAt: number;
  /** From the router losing its mappings to the subscriber hearing OPEN on a new address. */
  openMs: number | undefined;
  /** The daemon's own figure: from noticing the loss to open again. */
  daemonMs: number | undefined;
}

/** A node process in a namespace running one of the soak's helper scripts, its stdout read as JSON lines. */
function helper(
  ns: string,
  script: string,
  args: readonly string[],
  onLine: (value: unknown) => void,
  env: NodeJS.ProcessEnv = {},
): ChildProcess {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, "--import", TSX, here(script), ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  child.stdin?.on("error", () => {});
  if (child.stdout)
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        onLine(JSON.parse(line));
      } catch {
        // A stray line is not news.
      }
    });
  return child;
}

/** Sum of the daemon's SQLite files (the database, its WAL and shared memory). */
function databaseBytes(dataDir: string): number {
  let total = 0;
  for (const name of readdirSync(dataDir))
    if (/\.(db|sqlite)(-wal|-shm)?$/.test(name)) total += statSync(join(dataDir, name)).size;
  return total;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : Number.NaN;
};

function printRow(start: number, row: Row): void {
  const minutes = ((row.at - start) / 60_000).toFixed(1);
  console.log(
    [
      minutes.padStart(6),
      row.rssMiB.toFixed(1).padStart(8),
      row.heapMiB.toFixed(1).padStart(8),
      String(row.fds).padStart(5),
      String(row.handles).padStart(8),
      row.lagP99Ms.toFixed(1).padStart(9),
      row.dbKiB.toFixed(0).padStart(8),
      String(row.handled).padStart(8),
      `${row.churnOk}/${row.churnFailed}`.padStart(13),
      String(row.events).padStart(8),
    ].join(" "),
  );
}

export const soakBench: Bench = {
  name: "soak",
  description:
    "the daemon for N minutes in the NAT lab: churned connections, mapping loss every few minutes, a subscriber; RSS, fds, handles, lag, SQLite size",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        minutes: { type: "string", default: "5" },
        rate: { type: "string", default: "5" },
        "loss-every": { type: "string", default: "3" },
        sample: { type: "string", default: "30" },
      },
    });
    const minutes = Number(values.minutes);
    const rate = Number(values.rate);
    const lossEvery = Number(values["loss-every"]);
    const sampleSeconds = Number(values.sample);
    if (!(minutes > 0) || !(rate > 0 && rate <= 100) || !(lossEvery > 0) || !(sampleSeconds >= 2)) {
      console.error(
        "usage: npm run bench -- soak [--minutes 5] [--rate 5 (1-100 connections/s)] [--loss-every 3 (minutes)] [--sample 30 (seconds)]",
      );
      return 2;
    }
    const lab = await createLab({ nat: "NAT1", portPreserving: false, stun: "ours" });
    const children: ChildProcess[] = [];
    let daemon: LanDaemon | undefined;
    try {
      const keepalive = await startLabServices(lab);
      const retention = { maxRows: 500, maxAgeHours: 1 };
      const config = await lab.writeConfig({
        api: { listen: "127.0.0.1:7878" },
        log: { level: "warn" },
        keepalive: { target: keepalive, intervalSeconds: 10 },
        checks: { runOnStart: true, intervalSeconds: 300 },
        plugins: { dirs: [] },
        connections: { retention },
        tunnels: [{ id: "soak", localPort: 40_888, target: LAB_ECHO }],
      });
      const dataDir = join(config, "..", "data-0");
      daemon = LanDaemon.start(lab, config);
      const url = await daemon.ready();
      const running = daemon;

      const news: TunnelNews[] = [];
      let events = 0;
      let churn = { ok: 0, failed: 0 };
      const sources = await Promise.all([1, 2, 3, 4].map(() => lab.addWanAddress()));
      const churner = helper(lab.namespaces.wan, "./soak-churn.ts", [String(rate), ...sources], (line) => {
        churn = line as typeof churn;
      });
      children.push(churner);
      const subscriber = helper(
        lab.namespaces.lan,
        "./soak-subscriber.ts",
        [new URL("graphql", url).href.replace(/^http/, "ws")],
        (line) => {
          const value = line as { kind: string; connectionEvents?: number } & TunnelNews;
          if (value.kind === "events") events = value.connectionEvents ?? events;
          if (value.kind === "tunnel") {
            news.push(value);
            if (value.state === "OPEN" && value.publicAddress)
              churner.stdin?.write(`${value.publicAddress.ip}:${value.publicAddress.port}\n`);
          }
          if (value.kind === "error" || value.kind === "disconnected")
            process.stderr.write(`soak: subscriber ${JSON.stringify(value)}\n`);
        },
        // In the environment, not the arguments, where every user's `ps` would show it.
        { AUTOSTUN_API_TOKEN: running.token },
      );
      children.push(subscriber);

      // The subscriber only hears changes; the address of the tunnel as it is now comes from a query.
      const first = await running.until<{ tunnels: TunnelNews[] }>(
        url,
        "{ tunnels { state publicAddress { ip port } recoveryCount } }",
        (d) => d.tunnels[0]?.state === "OPEN",
      );
      const opened = first.tunnels[0] as TunnelNews;
      churner.stdin?.write(`${opened.publicAddress?.ip}:${opened.publicAddress?.port}\n`);

      const start = Date.now();
      const end = start + minutes * 60_000;
      const warmUpMs = Math.min(5 * 60_000, (minutes * 60_000) / 3);
      console.log(
        `Soak: autostun serve in a NAT1 lab (remapping router, our STUN server), ${minutes} min, ` +
          `${rate} connections/s from ${sources.length} WAN addresses, mapping loss every ${lossEvery} min, ` +
          `connection retention ${retention.maxRows} rows, ${new Date(start).toISOString()}`,
      );
      console.log(
        `${"min".padStart(6)} ${"RSS MiB".padStart(8)} ${"heap MiB".padStart(8)} ${"fds".padStart(5)} ${"handles".padStart(8)} ` +
          `${"lag p99ms".padStart(9)} ${"DB KiB".padStart(8)} ${"handled".padStart(8)} ${"churn ok/fail".padStart(13)} ${"events".padStart(8)}`,
      );

      const rows: Row[] = [];
      const sample = async (): Promise<Sample[]> => {
        const samples = parseMetrics(await scrapeInLan(lab, url, running.token));
        const value = (name: string, labels: Record<string, string> = {}) =>
          sampleValue(samples, name, labels) ?? Number.NaN;
        const row: Row = {
          at: Date.now(),
          rssMiB: value("process_resident_memory_bytes") / 2 ** 20,
          heapMiB: value("nodejs_heap_size_used_bytes") / 2 ** 20,
          fds: value("process_open_fds"),
          handles: value("nodejs_active_handles_total"),
          lagP99Ms: value("nodejs_eventloop_lag_p99_seconds") * 1000,
          dbKiB: databaseBytes(dataDir) / 1024,
          handled: value("autostun_tunnel_connections_handled_total", { tunnel: "soak" }),
          churnOk: churn.ok,
          churnFailed: churn.failed,
          events,
        };
        rows.push(row);
        printRow(start, row);
        return samples;
      };

      const recoveries: Recovery[] = [];
      const forceLoss = async () => {
        const before = news.length;
        const lostAt = Date.now();
        const countBefore = news.at(-1)?.recoveryCount ?? opened.recoveryCount;
        await lab.resetMappings();
        let openMs: number | undefined;
        while (Date.now() - lostAt < RECOVERY_GIVE_UP_MS) {
          const back = news.slice(before).find((n) => n.state === "OPEN" && n.recoveryCount > countBefore);
          if (back) {
            openMs = back.at - lostAt;
            break;
          }
          await sleep(100);
        }
        const samples = parseMetrics(await scrapeInLan(lab, url, running.token));
        const seconds = sampleValue(samples, "autostun_tunnel_last_recovery_seconds", { tunnel: "soak" });
        const recovery = { lostAt, openMs, daemonMs: seconds === undefined ? undefined : seconds * 1000 };
        recoveries.push(recovery);
        process.stderr.write(`soak: mapping loss ${recoveries.length}: ${JSON.stringify(recovery)}\n`);
      };

      let nextSample = start;
      let nextLoss = start + lossEvery * 60_000;
      while (Date.now() < end) {
        if (Date.now() >= nextSample) {
          await sample();
          nextSample += sampleSeconds * 1000;
        } else if (Date.now() >= nextLoss) {
          await forceLoss();
          nextLoss += lossEvery * 60_000;
        } else await sleep(250);
      }
      await sample();

      for (const child of children) child.kill("SIGTERM");
      const stopAt = Date.now();
      const code = await running.stop();
      const stopMs = Date.now() - stopAt;
      daemon = undefined;

      // Targets, judged after warm-up: the first and last few samples, medians so one scrape during a
      // burst of connections does not decide.
      const settled = rows.filter((row) => row.at - start >= warmUpMs);
      const window = Math.max(1, Math.min(3, Math.floor(settled.length / 3)));
      const head = settled.slice(0, window);
      const tail = settled.slice(-window);
      const rssGrowth = median(tail.map((r) => r.rssMiB)) / median(head.map((r) => r.rssMiB)) - 1;
      const fdGrowth = median(tail.map((r) => r.fds)) - median(head.map((r) => r.fds));
      const handleGrowth = median(tail.map((r) => r.handles)) - median(head.map((r) => r.handles));
      const dbHead = Math.max(...head.map((r) => r.dbKiB));
      const dbTail = Math.max(...tail.map((r) => r.dbKiB));
      const recovered = recoveries.map((r) => r.openMs);
      const slowest = Math.max(...recovered.map((ms) => ms ?? Number.POSITIVE_INFINITY));
      const lag = rows.map((r) => r.lagP99Ms);
      const last = rows.at(-1) as Row;
      const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
      console.log(
        `\nafter warm-up (${(warmUpMs / 60_000).toFixed(1)} min), first vs last ${window} samples (medians):`,
      );
      console.log(
        `  RSS        ${median(head.map((r) => r.rssMiB)).toFixed(1)} -> ${median(tail.map((r) => r.rssMiB)).toFixed(1)} MiB ` +
          `(${(rssGrowth * 100).toFixed(1)} %)   target < 10 %: ${verdict(rssGrowth < 0.1)}`,
      );
      console.log(
        `  open fds   ${median(head.map((r) => r.fds))} -> ${median(tail.map((r) => r.fds))} (${fdGrowth >= 0 ? "+" : ""}${fdGrowth})   target no growth: ${verdict(fdGrowth <= 0)}`,
      );
      console.log(
        `  handles    ${median(head.map((r) => r.handles))} -> ${median(tail.map((r) => r.handles))} (${handleGrowth >= 0 ? "+" : ""}${handleGrowth})`,
      );
      console.log(
        `  SQLite     ${dbHead.toFixed(0)} -> ${dbTail.toFixed(0)} KiB (max of each window; retention ${retention.maxRows} rows)   ` +
          `target bounded: ${verdict(dbTail <= dbHead * 1.1)}`,
      );
      console.log(
        `  event-loop lag p99: median ${median(lag).toFixed(1)} ms, max ${Math.max(...lag).toFixed(1)} ms`,
      );
      console.log(
        `  recoveries ${recoveries.length} forced, subscriber saw OPEN again after ` +
          `[${recovered.map((ms) => (ms === undefined ? "never" : `${(ms / 1000).toFixed(1)} s`)).join(", ")}]; ` +
          `re-punch after the daemon noticed [${recoveries.map((r) => (r.daemonMs === undefined ? "-" : `${Math.round(r.daemonMs)} ms`)).join(", ")}]   ` +
          `target each < 15 s: ${recoveries.length === 0 ? "none forced" : verdict(slowest < RECOVERY_TARGET_MS)}`,
      );
      console.log(
        `  churn      ${last.churnOk} connections echoed, ${last.churnFailed} failed (most while a mapping was being replaced); ` +
          `${last.handled} handled by the tunnel; ${last.events} connection events over graphql-ws`,
      );
      console.log(
        `  SIGTERM    exit ${code} after ${(stopMs / 1000).toFixed(1)} s   target < 5 s: ${verdict(stopMs < 5_000 && code === 0)}`,
      );
      return 0;
    } finally {
      for (const child of children) child.kill("SIGKILL");
      if (daemon) await daemon.stop();
      await lab.teardown();
    }
  },
};
