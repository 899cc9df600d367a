import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { SeedTorrent } from "@autostun/downloaders/testing";

/**
 * A real BitTorrent peer with TCP switched off (libtorrent from Debian's python3-libtorrent), run
 * inside a network namespace: it downloads a torrent from one peer address, or seeds one, over uTP
 * only, and reports what libtorrent saw (see utp-peer.py for the lines it prints).
 */

const SCRIPT = fileURLToPath(new URL("./utp-peer.py", import.meta.url));
// Debian's interpreter: python3-libtorrent is installed for it, not for a python3 earlier on PATH.
const PYTHON = "/usr/bin/python3";

/** A peer as libtorrent lists it; `utp` is its own verdict on the connection's socket. */
export interface UtpPeerConnection {
  address: string;
  utp: boolean;
  tcp: boolean;
  seed: boolean;
  outgoing: boolean;
}

export type UtpPeerLine =
  | { event: "listening"; address: string }
  | { event: "ready"; seeding: boolean }
  | {
      event: "progress";
      progress: number;
      bytes: number;
      rate: number;
      uploaded: number;
      peers: UtpPeerConnection[];
    }
  | { event: "done"; bytes: number; seconds: number; cpu: number; peers: UtpPeerConnection[] }
  | { event: "error"; message: string };

export interface UtpPeerOptions {
  /** Namespace to run in (a lab's `namespaces.wan`, `namespaces.lan`…). */
  namespace: string;
  torrentFile: string;
  /** Folder the data is in (seeding) or goes to (downloading). */
  saveDir: string;
  /** "ip:port" it listens on; uTP datagrams leave from it too. */
  listen: string;
  /** "ip:port" of the peer to connect to (downloading). */
  connect?: string;
  /** The data is complete in `saveDir`: seed it. */
  seed?: boolean;
  /** Give up after this many seconds (the script prints an error line and exits 1). */
  timeoutSeconds?: number;
  /** Every libtorrent alert to stderr (for a failure's message). */
  verbose?: boolean;
}

export class UtpPeer {
  readonly lines: UtpPeerLine[] = [];
  private stderr = "";
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    if (child.stdout)
      createInterface({ input: child.stdout }).on("line", (line) => this.lines.push(JSON.parse(line)));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8_000);
    });
    this.exited = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  }

  /** Starts the peer in `options.namespace`; it runs until done (downloads), `stop()` or its timeout. */
  static start(options: UtpPeerOptions): UtpPeer {
    const args = [
      SCRIPT,
      "--torrent",
      options.torrentFile,
      "--save",
      options.saveDir,
      "--listen",
      options.listen,
      "--timeout",
      String(options.timeoutSeconds ?? 120),
    ];
    if (options.connect) args.push("--connect", options.connect);
    if (options.seed) args.push("--seed");
    if (options.verbose) args.push("--verbose");
    const child = spawn("ip", ["netns", "exec", options.namespace, PYTHON, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new UtpPeer(child);
  }

  /** The first line of `event`; fails with what the peer printed once it exited or `timeoutMs` passed. */
  async until<E extends UtpPeerLine["event"]>(
    event: E,
    timeoutMs = 120_000,
  ): Promise<Extract<UtpPeerLine, { event: E }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => line.event === event);
      if (found) return found as Extract<UtpPeerLine, { event: E }>;
      const failed = this.lines.find((line) => line.event === "error");
      if (failed || this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`uTP peer never reported "${event}"\n${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The lines and the end of stderr, for failure messages. */
  log(): string {
    return `${this.lines.map((line) => JSON.stringify(line)).join("\n")}\n--- stderr\n${this.stderr}`;
  }

  /** Ends the peer (SIGTERM) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }

  /** The process id, for CPU readings from /proc. */
  get pid(): number | undefined {
    return this.child.pid;
  }
}

/** What {@link downloadOverUtp} saw: libtorrent's last report and whether the data arrived intact. */
export interface UtpDownload {
  done: Extract<UtpPeerLine, { event: "done" }>;
  /** The downloaded file has the seed's bytes. */
  intact: boolean;
  /** Every connection libtorrent made was uTP (it cannot make TCP ones: TCP is off). */
  utpOnly: boolean;
  /** The peer addresses libtorrent was connected to, "ip:port". */
  peers: string[];
}

/**
 * A WAN peer with TCP off downloads `seed` from `to` ("ip:port", e.g. a tunnel's public address),
 * listening on `fromIp` (an address from `lab.addWanAddress()`). Resolves once the download is
 * complete; throws with the peer's log when it is not within `timeoutSeconds`.
 */
export async function downloadOverUtp(
  wanNamespace: string,
  seed: SeedTorrent,
  fromIp: string,
  to: string,
  timeoutSeconds = 90,
): Promise<UtpDownload> {
  const saveDir = mkdtempSync(join(tmpdir(), "autostun-utp-get-"));
  const peer = UtpPeer.start({
    namespace: wanNamespace,
    torrentFile: seed.file,
    saveDir,
    listen: `${fromIp}:47000`,
    connect: to,
    timeoutSeconds,
  });
  try {
    const done = await peer.until("done", (timeoutSeconds + 10) * 1000);
    const got = readFileSync(join(saveDir, basename(seed.dataFile)));
    return {
      done,
      intact: got.equals(readFileSync(seed.dataFile)),
      utpOnly: done.peers.every((p) => p.utp && !p.tcp),
      peers: done.peers.map((p) => p.address),
    };
  } finally {
    await peer.stop();
    rmSync(saveDir, { recursive: true, force: true });
  }
}
