/**
 * `npm run bench -- relay [--seconds N] [--rounds N]`: bulk TCP on loopback through the user-space
 * forwarder, beside a direct connection, socat (default and -b262144) and haproxy, all measured in
 * the same run with iperf3. Prints throughput and the proxy's CPU seconds per GiB moved (user +
 * system, read from /proc, children included for socat's forked workers). Each round runs every row
 * once; on a shared machine one round is noise, so the summary gives medians and the forwarder's
 * ratio to haproxy per round (rows of one round ran seconds apart, under the same load).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const run = promisify(execFile);
const TICKS_PER_SECOND = 100;

interface Proxy {
  name: string;
  /** Starts the proxy in front of `target`; resolves to its port and process, none for direct. */
  start(targetPort: number): Promise<{ port: number; child?: ChildProcess }>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A child's own and its reaped children's CPU time, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // After "pid (comm) ", utime stime cutime cstime are fields 12..15 of the rest.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / TICKS_PER_SECOND;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createServer();
      socket.once("error", () => resolve(true));
      socket.listen(port, "127.0.0.1", () => socket.close(() => resolve(false)));
    });
    if (ok) return;
    await delay(50);
  }
  throw new Error(`bench: nothing listens on 127.0.0.1:${port}`);
}

function socat(name: string, extra: string[]): Proxy {
  return {
    name,
    async start(targetPort) {
      const port = await freePort();
      const child = spawn(
        "socat",
        [...extra, `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `TCP:127.0.0.1:${targetPort}`],
        { stdio: "ignore" },
      );
      await waitForPort(port);
      return { port, child };
    },
  };
}

const FORWARDER = "autostun forwarder";

const PROXIES: Proxy[] = [
  { name: "direct", start: async (targetPort) => ({ port: targetPort }) },
  {
    name: FORWARDER,
    async start(targetPort) {
      const script = fileURLToPath(new URL("./relay-forwarder.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", script, `127.0.0.1:${targetPort}`], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [line] = (await once(child.stdout!, "data")) as [Buffer];
      const port = Number(/port (\d+)/.exec(String(line))?.[1]);
      return { port, child };
    },
  },
  socat("socat", []),
  socat("socat -b262144", ["-b262144"]),
  {
    name: "haproxy",
    async start(targetPort) {
      const port = await freePort();
      const config = join(tmpdir(), `autostun-bench-haproxy-${process.pid}.cfg`);
      writeFileSync(
        config,
        [
          "global",
          "  nbthread 1",
          "defaults",
          "  mode tcp",
          "  timeout connect 5s",
          "  timeout client 60s",
          "  timeout server 60s",
          "listen bench",
          `  bind 127.0.0.1:${port}`,
          `  server target 127.0.0.1:${targetPort}`,
          "",
        ].join("\n"),
      );
      const child = spawn("haproxy", ["-f", config, "-db"], { stdio: "ignore" });
      await waitForPort(port);
      return { port, child };
    },
  },
];

const median = (values: readonly number[]) => summarize(values).median;

/** One iperf3 run through `proxy`: throughput and the proxy's CPU seconds per GiB (NaN for direct). */
async function measure(proxy: Proxy, targetPort: number, seconds: number) {
  const { port, child } = await proxy.start(targetPort);
  try {
    const before = child?.pid ? cpuSeconds(child.pid) : 0;
    const bytes = await iperf(port, seconds);
    await delay(200);
    const cpu = child?.pid ? cpuSeconds(child.pid) - before : Number.NaN;
    return { gbits: (bytes * 8) / seconds / 1e9, perGiB: cpu / (bytes / 2 ** 30) };
  } finally {
    child?.kill("SIGTERM");
    if (child && child.exitCode === null) await once(child, "exit");
  }
}

async function iperf(port: number, seconds: number): Promise<number> {
  const { stdout } = await run(
    "iperf3",
    ["-c", "127.0.0.1", "-p", String(port), "-t", String(seconds), "-J"],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const report = JSON.parse(stdout) as { end: { sum_received: { bytes: number } } };
  return report.end.sum_received.bytes;
}

export const relayBench: Bench = {
  name: "relay",
  description: "bulk TCP on loopback: forwarder vs direct, socat and haproxy (iperf3; throughput, CPU-s/GiB)",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "3" } },
    });
    const seconds = Number(values.seconds);
    const rounds = Number(values.rounds);
    for (const tool of ["iperf3", "socat", "haproxy"]) {
      try {
        await run("which", [tool]);
      } catch {
        console.error(`bench relay: ${tool} is missing (Debian: apt-get install -y iperf3 socat haproxy)`);
        return 1;
      }
    }
    const targetPort = await freePort();
    const server = spawn("iperf3", ["-s", "-B", "127.0.0.1", "-p", String(targetPort)], { stdio: "ignore" });
    try {
      await waitForPort(targetPort);
      console.log(
        `iperf3 for ${seconds} s per row, one stream, loopback, ${rounds} rounds, ${new Date().toISOString()}`,
      );
      const results = new Map<string, { gbits: number; perGiB: number }[]>();
      for (let round = 1; round <= rounds; round++) {
        console.log(
          `\nround ${round}\n${"path".padEnd(20)} ${"Gbit/s".padStart(8)} ${"CPU-s/GiB".padStart(10)}`,
        );
        for (const proxy of PROXIES) {
          const row = await measure(proxy, targetPort, seconds);
          results.set(proxy.name, [...(results.get(proxy.name) ?? []), row]);
          const cpuText = Number.isNaN(row.perGiB) ? "-" : row.perGiB.toFixed(3);
          console.log(`${proxy.name.padEnd(20)} ${row.gbits.toFixed(2).padStart(8)} ${cpuText.padStart(10)}`);
        }
      }
      console.log(
        `\nmedian of ${rounds}\n${"path".padEnd(20)} ${"Gbit/s".padStart(8)} ${"CPU-s/GiB".padStart(10)}`,
      );
      for (const [name, rows] of results) {
        const perGiB = median(rows.map((r) => r.perGiB));
        const cpuText = Number.isNaN(perGiB) ? "-" : perGiB.toFixed(3);
        console.log(
          `${name.padEnd(20)} ${median(rows.map((r) => r.gbits))
            .toFixed(2)
            .padStart(8)} ${cpuText.padStart(10)}`,
        );
      }
      const ours = results.get(FORWARDER)!;
      const haproxy = results.get("haproxy")!;
      const cpuRatios = ours.map((r, i) => r.perGiB / haproxy[i]!.perGiB);
      const speedRatios = ours.map((r, i) => r.gbits / haproxy[i]!.gbits);
      console.log(
        `\nforwarder / haproxy, same round: CPU-s/GiB ${cpuRatios.map((x) => x.toFixed(2)).join(" ")} ` +
          `(median ${median(cpuRatios).toFixed(2)}; target <= 1: ${median(cpuRatios) <= 1 ? "met" : "MISSED"}), ` +
          `throughput ${speedRatios.map((x) => x.toFixed(2)).join(" ")} ` +
          `(median ${median(speedRatios).toFixed(2)}; target >= 0.8: ${median(speedRatios) >= 0.8 ? "met" : "MISSED"})`,
      );
    } finally {
      server.kill("SIGTERM");
    }
    return 0;
  },
};
