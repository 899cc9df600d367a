import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import { ECHO_PORT, LAB_TIMING, type SeenStatus } from "../tunnel/testing/lab-tunnel.js";
import type { PortChange } from "../tunnel/types.js";
import type { RelayCommand, RunRelayConfig } from "./run-relay.js";

const RUNNER = fileURLToPath(new URL("./run-relay.ts", import.meta.url));

/**
 * Like `lab.spawn`, but with a writable stdin (commands, a peer's lines). The lab's teardown kills
 * every process left in its namespaces, these included.
 */
function spawnWithStdin(lab: Lab, role: "lan" | "wan", file: string, args: string[]): ChildProcess {
  const child = spawn("ip", ["netns", "exec", lab.namespaces[role], file, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.once("error", () => {});
  child.stdin?.on("error", () => {});
  return child;
}

/** The relay running inside the LAN namespace: its status lines, and commands answered over stdin. */
export class LabRelay {
  readonly seen: SeenStatus[] = [];
  /** Local ports the kernel rules were loaded for, in order. */
  readonly forwarding: number[] = [];
  /** What `onPortChange` announced, in order. */
  readonly ports: PortChange[] = [];
  stderr = "";
  private seq = 0;
  private readonly replies = new Map<number, (line: { value?: unknown; error?: string }) => void>();
  private waiters: (() => void)[] = [];

  private constructor(readonly child: ChildProcess) {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (line.kind === "reply") this.replies.get(line.seq)?.(line);
        else if (line.kind === "forwarding") this.forwarding.push(line.port);
        else if (line.kind === "ports") {
          const { kind: _, ...change } = line;
          this.ports.push(change as PortChange);
        } else this.seen.push(line as SeenStatus);
        for (const wake of this.waiters.splice(0)) wake();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8_000);
    });
  }

  static start(lab: Lab, config: Omit<RunRelayConfig, "timing" | "target"> & Partial<RunRelayConfig>) {
    const full: RunRelayConfig = { timing: LAB_TIMING, target: `127.0.0.1:${ECHO_PORT}`, ...config };
    const args = ["--import", import.meta.resolve("tsx"), RUNNER, JSON.stringify(full)];
    return new LabRelay(spawnWithStdin(lab, "lan", process.execPath, args));
  }

  get latest(): SeenStatus | undefined {
    return this.seen.at(-1);
  }

  /** Sends a command and resolves with the relay's answer (rejects with its error). */
  ask<T = unknown>(command: RelayCommand): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${command.op}\n${this.stderr}`)), 15_000);
      this.replies.set(seq, (line) => {
        clearTimeout(timer);
        this.replies.delete(seq);
        if (line.error) reject(new Error(line.error));
        else resolve(line.value as T);
      });
      this.child.stdin?.write(`${JSON.stringify({ ...command, seq })}\n`);
    });
  }

  /** Resolves once the kernel rules are loaded for `port`. */
  async waitForForwarding(port: number): Promise<void> {
    await this.waitFor(() => this.forwarding.includes(port), `nftables rules for port ${port}`);
  }

  async waitFor(test: (s: SeenStatus) => boolean, what: string, timeoutMs = 60_000): Promise<SeenStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.find(test);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null || this.child.signalCode !== null) {
        const lines = this.seen.map((s) => `${s.state} ${s.reason}`).join("\n");
        throw new Error(`relay never reached: ${what}\nstatus lines:\n${lines}\nlog:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGTERM, then wait for the process to be gone. */
  async stop(): Promise<void> {
    await this.signal("SIGTERM");
  }

  /** A crash: nothing of ours runs after this. */
  async crash(): Promise<void> {
    await this.signal("SIGKILL");
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill(signal);
    });
  }
}

/**
 * A peer in WAN holding one connection open: lines written to it travel through the tunnel and the
 * echo answers; `closed` settles when the connection ends, for whatever reason.
 */
export class LivePeer {
  received = "";
  readonly closed: Promise<number>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.received += chunk.toString();
    });
    child.stderr?.resume();
    this.closed = new Promise((resolve) => child.once("exit", () => resolve(Date.now())));
  }

  static open(lab: Lab, fromIp: string, to: { ip: string; port: number }): LivePeer {
    const address = `TCP4:${to.ip}:${to.port},bind=${fromIp},connect-timeout=3`;
    return new LivePeer(spawnWithStdin(lab, "wan", "socat", ["-T", "60", "-t", "0.05", "STDIO", address]));
  }

  send(text: string): void {
    this.child.stdin?.write(`${text}\n`);
  }

  async waitToReceive(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes(text)) {
      if (Date.now() > deadline) throw new Error(`peer never got ${JSON.stringify(text)} back`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * One connect attempt from a WAN address; what came back and how socat ended. Spawned here rather
 * than through `lab.exec`, whose stdin write fails loudly when a refused socat exits before reading it.
 * A refused or reset peer ends at once and an answered one as soon as the service half-closes back, so
 * the 10 s of silence allowed only matter to a loaded machine's late answer.
 */
export function knock(
  lab: Lab,
  fromIp: string,
  to: { ip: string; port: number },
  line = "knock",
): Promise<{ got: string; code: number | null; stderr: string }> {
  const address = `TCP4:${to.ip}:${to.port},bind=${fromIp},connect-timeout=3`;
  const child = spawnWithStdin(lab, "wan", "socat", ["-T", "10", "-", address]);
  let got = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    got += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.end(`${line}\n`);
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ got: got.trim(), code, stderr });
    }),
  );
}

/**
 * Knocks from `peer` until the service answers `line` through the address the relay publishes right
 * now (OPEN, with its kernel rules loaded when forwarding by nftables): an answer through an address the
 * relay has replaced meanwhile proves nothing. Returns that status, what came back and when.
 */
export async function reachThroughPublished(
  lab: Lab,
  relay: LabRelay,
  peer: string,
  line: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = "never OPEN with its rules loaded";
  while (Date.now() < deadline) {
    const status = relay.latest;
    if (
      status?.state === "OPEN" &&
      status.publicAddress &&
      relay.forwarding.includes(status.localPort ?? -1)
    ) {
      const answer = await knock(lab, peer, status.publicAddress, line);
      if (answer.got.endsWith(line) && relay.latest === status)
        return { status, got: answer.got, at: Date.now() };
      last = `knocked ${status.publicAddress.ip}:${status.publicAddress.port}: ${JSON.stringify(answer.got)} ${answer.stderr.trim()}`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no WAN peer got through within ${timeoutMs} ms (${last})\n${relay.stderr}`);
}
