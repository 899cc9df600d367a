/**
 * `npm run bench -- relay-udp-utp [--mib 128] [--rounds 3]`: uTP bulk throughput in the NAT lab (NAT1
 * remapping router, our STUN servers), two libtorrent peers with TCP off (apps/server/src/lab/testing/
 * utp-peer.py): a seeder in the LAN namespace, a downloader on a WAN address, one trackerless torrent
 * of `--mib` MiB of random data. Two paths, alternating in the same run:
 *
 * - direct: the seeder connects out to the downloader; the router's full-cone mapping alone carries
 *   the transfer (the baseline: kernel NAT, nothing of ours).
 * - tunnel: a UdpMapping holds a mapping on LAN port 40800 and a UdpForwarder (its own process in the
 *   LAN namespace, bench/relay-udp-utp-child.ts) forwards to the seeder; the downloader connects to the
 *   mapping's public address, as a peer reaches a tunnel.
 *
 * MiB/s is the torrent's size over the downloader's time from its first connected peer to the last
 * piece. CPU: the forwarder process's user + system seconds during the transfer (and per GiB), and
 * both peers' for scale. Every run checks libtorrent flagged each connection uTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeSeedTorrent } from "@autostun/downloaders/testing";
import { createLab, type Lab } from "@autostun/netlab";
import { UtpPeer } from "../apps/server/src/lab/testing/utp-peer.js";
import { treeCpuSeconds } from "./relay-udp-forwarder.js";
import { summarize } from "./stats.js";
import type { Bench } from "./types.js";

const MiB = 1024 * 1024;
const SEEDER_PORT = 6881;
const MAPPING_PORT = 40_800;
const CHILD = fileURLToPath(new URL("./relay-udp-utp-child.ts", import.meta.url));

type PathName = "direct" | "tunnel";

interface Row {
  mibPerSecond: number;
  seconds: number;
  forwarderCpu: number;
  seederCpu: number;
  downloaderCpu: number;
}

interface Setup {
  lab: Lab;
  torrentFile: string;
  dataDir: string;
  bytes: number;
  peerIp: string;
}

/** The forwarder child in the LAN namespace; resolves once its mapping is OPEN, with the public address. */
async function startTunnel(lab: Lab, target: string) {
  const args = ["netns", "exec", lab.namespaces.lan, process.execPath, "--import", "tsx", CHILD];
  const child = spawn("ip", [...args, String(MAPPING_PORT), target, ...lab.stunServers.udp], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const publicAddress = await new Promise<{ ip: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench: the UDP mapping never opened")), 60_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line).publicAddress);
    });
    child.once("exit", (code) => reject(new Error(`bench: the forwarder child exited (${code})`)));
  });
  return { child, publicAddress, lines };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("close", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function once(setup: Setup, path: PathName, run: number): Promise<Row> {
  const { lab, torrentFile, dataDir, peerIp } = setup;
  await lab.resetMappings();
  const saveDir = mkdtempSync(join(tmpdir(), "autostun-bench-utp-get-"));
  const downloaderAt = `${peerIp}:${47_000 + run}`;
  const seederAt = `${lab.lanIp}:${SEEDER_PORT}`;
  const peers: UtpPeer[] = [];
  let tunnel: Awaited<ReturnType<typeof startTunnel>> | undefined;
  try {
    const common = { torrentFile, timeoutSeconds: 300 };
    const startSeeder = (connect?: string) => {
      const namespace = lab.namespaces.lan;
      const peer = UtpPeer.start({
        ...common,
        namespace,
        saveDir: dataDir,
        listen: seederAt,
        seed: true,
        connect,
      });
      peers.push(peer);
      return peer;
    };
    let downloader: UtpPeer;
    let seeder: UtpPeer;
    if (path === "direct") {
      downloader = UtpPeer.start({ ...common, namespace: lab.namespaces.wan, saveDir, listen: downloaderAt });
      peers.push(downloader);
      await downloader.until("ready", 30_000);
      seeder = startSeeder(downloaderAt);
    } else {
      seeder = startSeeder();
      await seeder.until("ready", 30_000);
      tunnel = await startTunnel(lab, seederAt);
      const at = tunnel.publicAddress;
      downloader = UtpPeer.start({
        ...common,
        namespace: lab.namespaces.wan,
        saveDir,
        listen: downloaderAt,
        connect: `${at.ip}:${at.port}`,
      });
      peers.push(downloader);
    }
    // Start-up (Python, libtorrent, tsx compiling the child) is not the transfer's cost.
    await seeder.until("ready", 30_000);
    const seederBefore = treeCpuSeconds(seeder.pid ?? 0);
    const forwarderBefore = tunnel?.child.pid ? treeCpuSeconds(tunnel.child.pid) : 0;
    const done = await downloader.until("done", 310_000);
    const seederCpu = treeCpuSeconds(seeder.pid ?? 0) - seederBefore;
    const forwarderCpu = tunnel?.child.pid ? treeCpuSeconds(tunnel.child.pid) - forwarderBefore : Number.NaN;
    const notUtp = done.peers.filter((p) => !p.utp);
    if (done.bytes !== setup.bytes || notUtp.length > 0)
      throw new Error(`bench: ${path} run ${run} was not a full uTP-only download\n${downloader.log()}`);
    return {
      mibPerSecond: done.bytes / MiB / done.seconds,
      seconds: done.seconds,
      forwarderCpu,
      seederCpu,
      downloaderCpu: done.cpu,
    };
  } finally {
    if (tunnel) {
      const stats = new Promise<string>((resolve) => tunnel?.lines.once("line", resolve));
      await stopChild(tunnel.child);
      process.stderr.write(
        `  ${path} run ${run} forwarder: ${await Promise.race([stats, Promise.resolve("")])}\n`,
      );
    }
    await Promise.all(peers.map((peer) => peer.stop()));
    rmSync(saveDir, { recursive: true, force: true });
  }
}

const fixed = (n: number, digits = 1) => (Number.isNaN(n) ? "-" : n.toFixed(digits));

function line(name: string, row: Row, gib: number): string {
  return [
    name.padEnd(8),
    fixed(row.mibPerSecond).padStart(8),
    fixed(row.seconds, 2).padStart(8),
    fixed(row.forwarderCpu, 2).padStart(13),
    fixed(row.forwarderCpu / gib, 2).padStart(13),
    fixed(row.seederCpu, 2).padStart(11),
    fixed(row.downloaderCpu, 2).padStart(15),
  ].join(" ");
}

const HEADER = [
  "path".padEnd(8),
  "MiB/s".padStart(8),
  "seconds".padStart(8),
  "forwarder CPU".padStart(13),
  "fwd CPU-s/GiB".padStart(13),
  "seeder CPU".padStart(11),
  "downloader CPU".padStart(15),
].join(" ");

/** `--mib` and `--rounds` as numbers (checked by the caller, which prints the usage). */
function readArgs(args: readonly string[]): { mib: number; rounds: number } {
  const options = {
    mib: { type: "string", default: "128" },
    rounds: { type: "string", default: "3" },
  } as const;
  const { values } = parseArgs({ args: [...args], options });
  return { mib: Number(values.mib), rounds: Number(values.rounds) };
}

export const relayUdpUtpBench: Bench = {
  name: "relay-udp-utp",
  description:
    "uTP bulk throughput in the NAT lab: libtorrent peers direct vs through UdpMapping + UdpForwarder",
  async run(args) {
    const { mib, rounds } = readArgs(args);
    if (!(Number.isInteger(mib) && mib >= 1 && mib <= 4096) || !(Number.isInteger(rounds) && rounds >= 1)) {
      console.error("usage: npm run bench -- relay-udp-utp [--mib 128 (1-4096)] [--rounds 3]");
      return 2;
    }
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-bench-utp-seed-"));
    const lab = await createLab({ nat: "NAT1", portPreserving: false, stun: "ours" });
    try {
      const seed = await writeSeedTorrent({
        dir: dataDir,
        bytes: mib * MiB,
        pieceLength: 512 * 1024,
        random: true,
      });
      const setup: Setup = {
        lab,
        torrentFile: seed.file,
        dataDir,
        bytes: seed.bytes,
        peerIp: await lab.addWanAddress(),
      };
      console.log(
        `uTP bulk transfer, NAT lab NAT1 remapping router, libtorrent 2.0.8 peers with TCP off, ` +
          `${mib} MiB torrent (512 KiB pieces), ${rounds} rounds, ${new Date().toISOString()}\n` +
          "direct: kernel NAT only; tunnel: UdpMapping + UdpForwarder (own process) in front of the seeder\n" +
          "CPU in CPU-seconds over the transfer; every connection was uTP by libtorrent's own flag",
      );
      const results: Record<PathName, Row[]> = { direct: [], tunnel: [] };
      const gib = mib / 1024;
      for (let round = 1; round <= rounds; round++) {
        console.log(`\nround ${round}\n${HEADER}`);
        for (const path of ["direct", "tunnel"] as const) {
          const row = await once(setup, path, round * 2 + (path === "tunnel" ? 1 : 0));
          results[path].push(row);
          console.log(line(path, row, gib));
        }
      }
      const median = (rows: Row[], key: keyof Row) => summarize(rows.map((r) => r[key])).median;
      console.log(`\nmedian of ${rounds}\n${HEADER}`);
      for (const path of ["direct", "tunnel"] as const) {
        const rows = results[path];
        const row: Row = {
          mibPerSecond: median(rows, "mibPerSecond"),
          seconds: median(rows, "seconds"),
          forwarderCpu: median(rows, "forwarderCpu"),
          seederCpu: median(rows, "seederCpu"),
          downloaderCpu: median(rows, "downloaderCpu"),
        };
        console.log(line(path, row, gib));
      }
      const ratio = median(results.tunnel, "mibPerSecond") / median(results.direct, "mibPerSecond");
      console.log(`\ntunnel / direct throughput (medians): ${ratio.toFixed(2)}`);
    } finally {
      await lab.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    }
    return 0;
  },
};
