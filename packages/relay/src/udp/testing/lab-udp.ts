import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import type { RunUdpMappingConfig } from "./run-udp-mapping.js";

const RUNNER = fileURLToPath(new URL("./run-udp-mapping.ts", import.meta.url));

/** Short timings: lab tests finish quickly, while nothing asserts how quickly. */
export const LAB_UDP_TIMING: RunUdpMappingConfig["timing"] = {
  keepaliveIntervalMs: 1_000,
  ask: { rtoMs: 300, maxSends: 3, timeoutMs: 2_000 },
  networkPollMs: 1_000,
  stableAfterMs: 1_000,
  backoff: { initialMs: 250, maxMs: 2_000, factor: 2, jitter: 0.3 },
};

export interface Address {
  ip: string;
  port: number;
}

/** One JSON line of the runner; `kind` says which. */
export type RunnerLine = {
  kind: "tcp" | "pair" | "pair-moved" | "status" | "tcp-again";
  at: number;
  publicAddress?: Address;
  [key: string]: unknown;
};

/** The runner inside the LAN namespace; its lines arrive as they are printed. */
export class LabUdpRunner {
  readonly lines: RunnerLine[] = [];
  private stderr = "";

  private constructor(readonly child: ChildProcess) {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        this.lines.push(JSON.parse(buffer.slice(0, nl)) as RunnerLine);
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-6_000);
    });
  }

  static start(lab: Lab, config: Omit<RunUdpMappingConfig, "timing"> & Partial<RunUdpMappingConfig>) {
    const full: RunUdpMappingConfig = { timing: LAB_UDP_TIMING, ...config };
    const args = ["--import", import.meta.resolve("tsx"), RUNNER, JSON.stringify(full)];
    return new LabUdpRunner(lab.spawn("lan", process.execPath, args));
  }

  /** The latest status line, if any. */
  get status(): RunnerLine | undefined {
    return this.lines.filter((l) => l.kind === "status").at(-1);
  }

  /** The first line from index `from` on that satisfies `test`; fails with the runner's log after `timeoutMs`. */
  async waitFor(test: (l: RunnerLine) => boolean, what: string, from = 0, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `UDP runner never printed: ${what}\nlines:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}\nlog:\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * One datagram from a WAN address to `to`; true when the runner's echo came back. The line goes in
 * through a shell pipe (see bench/relay-recovery.ts: exec's input can raise EPIPE when socat quits).
 */
export async function udpKnock(lab: Lab, fromIp: string, to: Address, waitSeconds = 1): Promise<boolean> {
  const sent = `knock-${randomBytes(4).toString("hex")}`;
  const socat = `socat -T ${waitSeconds} - UDP4:${to.ip}:${to.port},bind=${fromIp}`;
  const { stdout } = await lab.exec("wan", "sh", ["-c", `echo ${sent} | ${socat}`], {
    timeoutMs: (waitSeconds + 10) * 1000,
  });
  return stdout.trim() === `echo:${sent}`;
}

/** Knock until the runner's currently published UDP address echoes; that address and when. */
export async function reachOverUdp(lab: Lab, runner: LabUdpRunner, fromIp: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = runner.status;
    if (status?.state === "OPEN" && status.publicAddress) {
      if ((await udpKnock(lab, fromIp, status.publicAddress)) && runner.status === status) {
        return { address: status.publicAddress, at: Date.now() };
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no WAN peer got an echo over UDP within ${timeoutMs} ms; last status ${JSON.stringify(runner.status)}`,
  );
}
