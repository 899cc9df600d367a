/**
 * `npm run bench -- relay-udp-forwarder [--seconds 5] [--rounds 3] [--size 1200] [--flows 4] [--window 32]`:
 * UDP on loopback through the user-space UdpForwarder, beside direct and `socat UDP-LISTEN:…,fork`, all
 * in the same run. A UDP echo server (its own process) answers every datagram; the load comes from
 * `--flows` peer sockets in this process, each keeping `--window` datagrams of `--size` bytes in flight
 * (closed loop: every echo sends the next one, a flow that stalls 100 ms is refilled, so a lost datagram
 * costs nothing lasting). A proxy forwards each round trip twice (peer → target, target → peer), so
 * packets/s counts both. CPU is the proxy's user + system time from /proc, its forked children
 * included (socat forks one per peer), in CPU-seconds per million datagrams forwarded.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const run = promisify(execFile);
const TICKS_PER_SECOND = 100;

/** One process's own time plus its reaped children's, in clock ticks, and its parent's pid. */
function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // After "pid (comm) ": state ppid … utime stime cutime cstime are fields 11..14 of the rest.
    return {
      ppid: Number(fields[1]),
      ticks: [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0),
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds of `root` and every live descendant (socat's forked workers live until it exits). */
export function treeCpuSeconds(root: number): number {
  const all = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const entry = stat(Number(name));
    if (entry) all.set(Number(name), entry);
  }
  let ticks = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    ticks += all.get(pid)?.ticks ?? 0;
    for (const [child, entry] of all) if (entry.ppid === pid) todo.push(child);
  }
  return ticks / TICKS_PER_SECOND;
}

async function portLine(child: ChildProcess): Promise<number> {
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const port = Number(/port (\d+)/.exec(String(line))?.[1]);
  if (!port) throw new Error(`bench: expected "port N" from the child, got ${String(line)}`);
  return port;
}

/** A UDP echo server in its own process, so its CPU is neither the proxy's nor the load's. */
async function startEcho(): Promise<{ port: number; child: ChildProcess }> {
  const script = [
    'const s = require("node:dgram").createSocket("udp4");',
    "s.on('message', (d, r) => s.send(d, r.port, r.address));",
    "s.bind(0, '127.0.0.1', () => console.log('port ' + s.address().port));",
  ].join("");
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return { port: await portLine(child), child };
}

interface Path {
  name: string;
  start(targetPort: number): Promise<{ port: number; child?: ChildProcess }>;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const FORWARDER = "autostun UdpForwarder";

const PATHS: Path[] = [
  { name: "direct", start: async (targetPort) => ({ port: targetPort }) },
  {
    name: FORWARDER,
    async start(targetPort) {
      const script = fileURLToPath(new URL("./relay-udp-forwarder-child.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", script, `127.0.0.1:${targetPort}`], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      return { port: await portLine(child), child };
    },
  },
  {
    name: "socat UDP-LISTEN,fork",
    async start(targetPort) {
      const port = await freeUdpPort();
      const child = spawn(
        "socat",
        [`UDP4-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `UDP4:127.0.0.1:${targetPort}`],
        { stdio: "ignore" },
      );
      // socat has no ready signal for UDP; its listener is up well within this.
      await delay(300);
      return { port, child };
    },
  },
];

interface Load {
  size: number;
  flows: number;
  window: number;
  seconds: number;
}

/** Closed-loop echo load against `port`; resolves to the round trips completed in `seconds`. */
async function drive(port: number, load: Load): Promise<{ roundTrips: number; lost: number }> {
  const payload = Buffer.alloc(load.size, 0x5a);
  const sockets: Socket[] = [];
  let counting = false;
  let roundTrips = 0;
  let sent = 0;
  let received = 0;
  const flows = await Promise.all(
    Array.from({ length: load.flows }, async () => {
      const socket = createSocket("udp4");
      socket.bind(0, "127.0.0.1");
      await once(socket, "listening");
      socket.connect(port, "127.0.0.1");
      await once(socket, "connect");
      sockets.push(socket);
      const flow = { socket, inflight: 0, progress: 0 };
      socket.on("error", () => {});
      socket.on("message", () => {
        received++;
        flow.progress++;
        if (counting) roundTrips++;
        flow.inflight--;
        if (flow.inflight < load.window) send();
      });
      const send = () => {
        flow.inflight++;
        sent++;
        socket.send(payload);
      };
      return { flow, send };
    }),
  );
  const refill = () => {
    for (const { flow, send } of flows) {
      if (flow.progress === 0) flow.inflight = 0;
      flow.progress = 0;
      while (flow.inflight < load.window) send();
    }
  };
  refill();
  const refiller = setInterval(refill, 100);
  // A short warm-up: sessions open, socat forks, the JIT settles; then the measured stretch.
  await delay(500);
  counting = true;
  await delay(load.seconds * 1000);
  counting = false;
  clearInterval(refiller);
  for (const socket of sockets) socket.close();
  return { roundTrips, lost: Math.max(0, sent - received - load.flows * load.window) };
}

async function measure(path: Path, targetPort: number, load: Load) {
  const { port, child } = await path.start(targetPort);
  try {
    const before = child?.pid ? treeCpuSeconds(child.pid) : 0;
    const started = performance.now();
    const { roundTrips, lost } = await drive(port, load);
    const cpu = child?.pid ? treeCpuSeconds(child.pid) - before : Number.NaN;
    // The warm-up is in the CPU time too: scale it to the measured stretch.
    const measuredShare = (load.seconds * 1000) / (performance.now() - started);
    const datagrams = roundTrips * 2;
    return {
      pps: datagrams / load.seconds,
      cpuPerMillion: (cpu * measuredShare) / (datagrams / 1e6),
      lost,
    };
  } finally {
    child?.kill("SIGTERM");
    if (child && child.exitCode === null) await once(child, "exit");
  }
}

const median = (values: readonly number[]) => summarize(values).median;

export const relayUdpForwarderBench: Bench = {
  name: "relay-udp-forwarder",
  description:
    "UDP on loopback: UdpForwarder vs direct and socat UDP-LISTEN,fork (packets/s, CPU-s per million)",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        seconds: { type: "string", default: "5" },
        rounds: { type: "string", default: "3" },
        size: { type: "string", default: "1200" },
        flows: { type: "string", default: "4" },
        window: { type: "string", default: "32" },
      },
    });
    const load: Load = {
      seconds: Number(values.seconds),
      size: Number(values.size),
      flows: Number(values.flows),
      window: Number(values.window),
    };
    const rounds = Number(values.rounds);
    const bad = Object.entries({ ...load, rounds }).find(([, v]) => !(Number.isInteger(v) && v >= 1));
    if (bad || load.size > 65_507) {
      console.error(
        `bench relay-udp-forwarder: ${bad?.[0] ?? "size"} must be a whole number >= 1 (size at most 65507)`,
      );
      return 2;
    }
    try {
      await run("which", ["socat"]);
    } catch {
      console.error("bench relay-udp-forwarder: socat is missing (Debian: apt-get install -y socat)");
      return 1;
    }
    const echo = await startEcho();
    try {
      console.log(
        `UDP echo on loopback, ${load.size}-byte datagrams, ${load.flows} peers x ${load.window} in flight, ` +
          `${load.seconds} s per row, ${rounds} rounds, ${new Date().toISOString()}\n` +
          "packets/s: datagrams forwarded per second, both directions; CPU: the proxy's, per million of them",
      );
      const header = `${"path".padEnd(24)} ${"packets/s".padStart(10)} ${"CPU-s/M".padStart(8)} ${"lost".padStart(7)}`;
      const results = new Map<string, { pps: number; cpuPerMillion: number; lost: number }[]>();
      for (let round = 1; round <= rounds; round++) {
        console.log(`\nround ${round}\n${header}`);
        for (const path of PATHS) {
          const row = await measure(path, echo.port, load);
          results.set(path.name, [...(results.get(path.name) ?? []), row]);
          const cpu = Number.isNaN(row.cpuPerMillion) ? "-" : row.cpuPerMillion.toFixed(2);
          console.log(
            `${path.name.padEnd(24)} ${Math.round(row.pps).toString().padStart(10)} ${cpu.padStart(8)} ${String(row.lost).padStart(7)}`,
          );
        }
      }
      console.log(`\nmedian of ${rounds}\n${header}`);
      for (const [name, rows] of results) {
        const cpu = median(rows.map((r) => r.cpuPerMillion));
        console.log(
          `${name.padEnd(24)} ${Math.round(median(rows.map((r) => r.pps)))
            .toString()
            .padStart(10)} ${(Number.isNaN(cpu) ? "-" : cpu.toFixed(2)).padStart(8)} ${String(
            median(rows.map((r) => r.lost)),
          ).padStart(7)}`,
        );
      }
      const ours = results.get(FORWARDER)!;
      const socat = results.get("socat UDP-LISTEN,fork")!;
      const ratios = ours.map((r, i) => r.cpuPerMillion / socat[i]!.cpuPerMillion);
      console.log(
        `\nforwarder / socat, same round: CPU per packet ${ratios.map((x) => x.toFixed(2)).join(" ")} ` +
          `(median ${median(ratios).toFixed(2)}; target <= 1: ${median(ratios) <= 1 ? "met" : "MISSED"})`,
      );
    } finally {
      echo.child.kill("SIGTERM");
    }
    return 0;
  },
};
