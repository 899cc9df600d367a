/**
 * `npm run bench -- relay-idle [--connections 10000] [--concurrency 256] [--samples 1000]`: many
 * idle connections through the forwarder on loopback. The forwarder runs in its own process
 * (`relay-forwarder.ts`) so its RSS is its own. A connection counts as through once the target's
 * one-byte greeting, sent on accept, reaches the client: that covers the forwarder's accept and its
 * connect to the target. Prints the forwarder's RSS, the accept rate in a burst, and the added
 * connect latency, forwarded minus direct to the same target, measured in the same run.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import type { Bench } from "./types.js";

const run = promisify(execFile);
const NOFILE = 65_536;

/** 127.<block>.x.y for the n-th client: one source address per connection, so the per-IP limit and the ephemeral port range never bind. */
function clientIp(block: number, n: number): string {
  // All of 127.0.0.0/8 is on lo under Linux, so .0 and .255 host bytes are ordinary addresses here.
  return `127.${block}.${(n >> 8) & 255}.${n & 255}`;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1]) / 1024;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Connect from `localAddress` and resolve once the target's greeting arrives, with the time it took in ms. */
function through(port: number, localAddress: string): Promise<{ socket: Socket; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    socket.once("error", reject);
    socket.once("data", () => {
      socket.off("error", reject);
      // Held idle from here on; a late reset must not crash the bench.
      socket.on("error", () => {});
      socket.pause();
      resolve({ socket, ms: performance.now() - t0 });
    });
  });
}

/** `count` connections, `concurrency` in flight; resolves to the sockets, each one's latency and the wall time. */
async function burst(port: number, block: number, count: number, concurrency: number) {
  const sockets: Socket[] = [];
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const { socket, ms } = await through(port, clientIp(block, n));
      sockets.push(socket);
      latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { sockets, latencies, seconds: (performance.now() - t0) / 1000 };
}

/** The target in a process of its own too: together with the clients its sockets would not fit one descriptor limit. */
async function greetingTarget(): Promise<{ port: number; child: ChildProcess }> {
  const script = `const s=require("node:net").createServer(c=>{c.on("error",()=>{});c.write("g")});s.listen({port:0,host:"127.0.0.1",backlog:4096},()=>console.log("port "+s.address().port))`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { port: Number(/port (\d+)/.exec(String(line))?.[1]), child };
}

/**
 * Raise the descriptor limit that this process and its children share, as far as allowed: without
 * CAP_SYS_RESOURCE only up to the hard limit. Returns the soft limit then in force.
 */
async function raiseNofile(): Promise<number> {
  try {
    await run("prlimit", ["--pid", String(process.pid), `--nofile=${NOFILE}:${NOFILE}`]);
  } catch {
    const hard = /Max open files\s+\d+\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    await run("prlimit", ["--pid", String(process.pid), `--nofile=${hard}:${hard}`]);
  }
  return Number(/Max open files\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1]);
}

const ms = (value: number) => value.toFixed(3).padStart(8);

export const relayIdleBench: Bench = {
  name: "relay-idle",
  description: "10,000 idle connections through the forwarder: RSS, accept rate, p99 added connect latency",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        connections: { type: "string", default: "10000" },
        concurrency: { type: "string", default: "256" },
        samples: { type: "string", default: "1000" },
      },
    });
    const concurrency = Number(values.concurrency);
    const samples = Number(values.samples);
    // Children inherit the limit; the forwarder holds two descriptors per connection.
    const nofile = await raiseNofile();
    const fits = Math.floor((nofile - 200) / 2);
    const count = Math.min(Number(values.connections), fits);
    if (count < Number(values.connections)) {
      console.log(
        `NOTE: the open-files limit is ${nofile} and cannot be raised here (no CAP_SYS_RESOURCE); the forwarder ` +
          `holds two descriptors per connection, so this run holds ${count}, not ${values.connections}.\n`,
      );
    }
    const target = await greetingTarget();
    const targetPort = target.port;
    // The defaults (1,000 live, 8 per IP) guard a home downloader; the bench raises the total only.
    const limits = { maxConnections: count + samples + 100 };
    const script = fileURLToPath(new URL("./relay-forwarder.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", script, `127.0.0.1:${targetPort}`, JSON.stringify(limits)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const held: Socket[] = [];
    try {
      const [line] = (await once(child.stdout!, "data")) as [Buffer];
      const port = Number(/port (\d+)/.exec(String(line))?.[1]);
      const pid = child.pid!;
      // Load the forwarding path once, so the idle figure is not the cost of first use.
      (await through(port, "127.250.0.1")).socket.destroy();
      await new Promise((r) => setTimeout(r, 500));
      const rssBefore = rssMiB(pid);
      const cpuBefore = cpuSeconds(pid);

      const direct = await burst(targetPort, 2, count, concurrency);
      for (const s of direct.sockets) s.destroy();
      // Let the target close its side before the forwarded burst needs those descriptors again.
      await new Promise((r) => setTimeout(r, 1_000));
      const forwarded = await burst(port, 1, count, concurrency);
      held.push(...forwarded.sockets);
      const cpuBurst = cpuSeconds(pid) - cpuBefore;
      await new Promise((r) => setTimeout(r, 2_000));
      const rssHeld = rssMiB(pid);

      // One at a time, alternating, with the idle connections still held: the latency a peer adds by
      // coming through the forwarder rather than straight to the target.
      const sequential = { forwarded: [] as number[], direct: [] as number[] };
      for (let i = 0; i < samples; i++) {
        const f = await through(port, clientIp(3, i));
        f.socket.destroy();
        sequential.forwarded.push(f.ms);
        const d = await through(targetPort, clientIp(4, i));
        d.socket.destroy();
        sequential.direct.push(d.ms);
      }
      const rssAfter = rssMiB(pid);

      console.log(
        `${count} idle connections through the forwarder on loopback, ${new Date().toISOString()}\n` +
          `forwarder: own process, maxConnections ${limits.maxConnections} (default 1000), maxPerIp 8 (default; ` +
          `every client has its own 127.x.y.z), real addresses on, nofile ${nofile}\n`,
      );
      console.log(
        `forwarder RSS: ${rssBefore.toFixed(1)} MiB idle, ${rssHeld.toFixed(1)} MiB with ${held.length} connections ` +
          `(${(((rssHeld - rssBefore) * 1024) / held.length).toFixed(1)} KiB each), ${rssAfter.toFixed(1)} MiB after the latency samples; ` +
          `target under 200 MB: ${rssHeld * 1.048576 < 200 ? "met" : "MISSED"}`,
      );
      const asked = Number(values.connections);
      if (count < asked) {
        const perConnection = (rssHeld - rssBefore) / held.length;
        console.log(
          `at ${asked} connections, at the per-connection cost measured here: ~${(rssBefore + perConnection * asked).toFixed(1)} MiB`,
        );
      }
      console.log(
        `burst of ${count}, ${concurrency} in flight: forwarder ${(count / forwarded.seconds).toFixed(0)} connections/s ` +
          `(${cpuBurst.toFixed(2)} CPU-s), direct ${(count / direct.seconds).toFixed(0)} connections/s`,
      );
      console.log(`\nconnect-to-greeting latency, ms${" ".repeat(12)}p50      p99      max`);
      const rowOf = (name: string, xs: number[]) =>
        console.log(
          `${name.padEnd(32)}${ms(percentile(xs, 50))} ${ms(percentile(xs, 99))} ${ms(Math.max(...xs))}`,
        );
      rowOf(`sequential, forwarded (${samples})`, sequential.forwarded);
      rowOf(`sequential, direct (${samples})`, sequential.direct);
      console.log(
        `added by the forwarder: p50 ${(percentile(sequential.forwarded, 50) - percentile(sequential.direct, 50)).toFixed(3)} ms, ` +
          `p99 ${(percentile(sequential.forwarded, 99) - percentile(sequential.direct, 99)).toFixed(3)} ms`,
      );
      rowOf(`burst, forwarded (${count})`, forwarded.latencies);
      rowOf(`burst, direct (${count})`, direct.latencies);
    } finally {
      for (const s of held) s.destroy();
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
      target.child.kill("SIGTERM");
    }
    return 0;
  },
};
