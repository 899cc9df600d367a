import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./swarm-peer.py", import.meta.url));
// Debian's interpreter: python3-libtorrent is installed for it, not for a python3 earlier on PATH.
const PYTHON = "/usr/bin/python3";

export interface SwarmPeerOptions {
  /** The namespace it runs in (a lab's WAN side). */
  namespace: string;
  torrentFile: string;
  /** An empty folder: the peer has none of the data, so the connection stays up. */
  saveDir: string;
  /** `[ip]:port` or `ip:port` it listens on and dials from. */
  listen: string;
  /** The client, `[ip]:port` or `ip:port`. */
  connect: string;
  timeoutSeconds?: number;
}

type Line =
  | { event: "listening"; address: string }
  | { event: "peers"; peers: string[] }
  | { event: "error"; message: string };

/**
 * A libtorrent peer that connects to a client over TCP and stays connected (see swarm-peer.py): from the
 * client's side, an incoming peer from `listen`'s address.
 */
export class SwarmPeer {
  private readonly lines: Line[] = [];
  private stderr = "";

  private constructor(private readonly child: ChildProcess) {
    if (child.stdout)
      createInterface({ input: child.stdout }).on("line", (line) => this.lines.push(JSON.parse(line)));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
  }

  static start(options: SwarmPeerOptions): SwarmPeer {
    const args = [
      SCRIPT,
      "--torrent",
      options.torrentFile,
      "--save",
      options.saveDir,
      "--listen",
      options.listen,
      "--connect",
      options.connect,
      "--timeout",
      String(options.timeoutSeconds ?? 120),
    ];
    const child = spawn("ip", ["netns", "exec", options.namespace, PYTHON, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new SwarmPeer(child);
  }

  /** Resolves once the peer lists `address` among its connections; throws with its log after `timeoutMs`. */
  async connectedTo(address: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.lines.findLast((line) => line.event === "peers");
      if (last?.event === "peers" && last.peers.includes(address)) return;
      const failed = this.lines.find((line) => line.event === "error");
      if (failed || this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the swarm peer never connected to ${address}\n${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  log(): string {
    return `${this.lines.map((line) => JSON.stringify(line)).join("\n")}\n--- stderr\n${this.stderr}`;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.kill("SIGTERM");
    return exited;
  }
}
