import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { acceptsConnections } from "../push/listening.js";

/**
 * A network namespace of the test's own, joined to this host by one veth pair on a /30, so a real
 * client runs inside it and the test talks to it (and checks its ports) from outside, as a daemon would.
 * Every process started in it is killed, and the namespace deleted, on dispose.
 */
export class DownloaderNamespace {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly name: string,
    /** The namespace's address: where its clients listen. */
    readonly ip: string,
  ) {}

  static create(): DownloaderNamespace {
    if (process.getuid?.() !== 0)
      throw new Error("the downloader lab needs root to create a network namespace (CI runs as root)");
    const id = randomBytes(3).toString("hex");
    const name = `autostun-dl-${process.pid}-${id}`;
    // 10.201-250.x.y/30: a range the other labs do not use, random so parallel files do not meet.
    const [a, b, c] = randomBytes(3);
    const net = `10.${201 + ((a as number) % 50)}.${b}.${((c as number) % 64) * 4}`;
    const [p, q, r, s] = net.split(".").map(Number) as [number, number, number, number];
    const host = `${p}.${q}.${r}.${s + 1}`;
    const inside = `${p}.${q}.${r}.${s + 2}`;
    const outer = `adl${id}h`;
    const inner = `adl${id}n`;
    const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
    ip("netns", "add", name);
    const lab = new DownloaderNamespace(name, inside);
    try {
      ip("link", "add", outer, "type", "veth", "peer", "name", inner);
      ip("link", "set", inner, "netns", name);
      ip("addr", "add", `${host}/30`, "dev", outer);
      ip("link", "set", outer, "up");
      ip("-n", name, "addr", "add", `${inside}/30`, "dev", inner);
      ip("-n", name, "link", "set", inner, "up");
      ip("-n", name, "link", "set", "lo", "up");
    } catch (error) {
      lab.dispose();
      throw error;
    }
    return lab;
  }

  /** Starts `argv` inside the namespace; its output is kept for the error of a start that failed. */
  start(argv: readonly string[], env: Record<string, string> = {}): ChildProcess & { output: () => string } {
    const child = spawn("ip", ["netns", "exec", this.name, ...argv], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.children.push(child);
    return Object.assign(child, { output: () => output });
  }

  /** Waits until something in the namespace accepts connections on `port`, or says why not. */
  async waitForPort(port: number, what: string, child?: { exitCode: number | null; output(): string }) {
    for (let i = 0; i < 300; i++) {
      if (await acceptsConnections(this.ip, port)) return;
      if (child && child.exitCode !== null)
        throw new Error(
          `${what} exited with ${child.exitCode} before listening on ${port}: ${child.output()}`,
        );
      await sleep(100);
    }
    throw new Error(`${what} did not listen on ${this.ip}:${port} within 30 s: ${child?.output() ?? ""}`);
  }

  /**
   * The UDP sockets process `pid` has bound in the namespace, from `ss` (the kernel's view: what the
   * client reports over its API says nothing about where uTP and DHT really listen).
   */
  udpSockets(pid: number): { port: number; inode: string }[] {
    const lines = execFileSync("ip", ["netns", "exec", this.name, "ss", "-ulnpeH"], {
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .split("\n");
    const sockets: { port: number; inode: string }[] = [];
    for (const line of lines) {
      if (!line.includes(`pid=${pid},`)) continue;
      const local = line.trim().split(/\s+/)[3] ?? "";
      sockets.push({
        port: Number(local.slice(local.lastIndexOf(":") + 1)),
        inode: /ino:(\d+)/.exec(line)?.[1] ?? "",
      });
    }
    return sockets;
  }

  /**
   * The ports of `pid`'s UDP sockets, sorted, once `settled(ports)` holds or after 5 s: a client reopens
   * its socket a moment after answering, so this waits out that lag and lets the test judge what it saw.
   */
  async udpPorts(pid: number, settled: (ports: number[]) => boolean): Promise<number[]> {
    let ports: number[] = [];
    for (let i = 0; i < 50; i++) {
      ports = [...new Set(this.udpSockets(pid).map((socket) => socket.port))].sort((a, b) => a - b);
      if (settled(ports)) break;
      await sleep(100);
    }
    return ports;
  }

  dispose(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    try {
      const pids = execFileSync("ip", ["netns", "pids", this.name]).toString().split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      // Deleting the namespace deletes its end of the veth pair, and with it the host's end.
      execFileSync("ip", ["netns", "del", this.name], { stdio: "ignore" });
    } catch {
      // deleting twice is fine
    }
  }
}
