import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import type { TunnelStatus } from "../types.js";
import type { RunTunnelConfig } from "./run-tunnel.js";

const RUNNER = fileURLToPath(new URL("./run-tunnel.ts", import.meta.url));
const STUN_SERVER = fileURLToPath(new URL("./run-stun-server.ts", import.meta.url));
export const KEEPALIVE_PORT = 8_080;
export const ECHO_PORT = 7_000;

/** A status line from the runner, with the runner's clock. */
export type SeenStatus = Omit<TunnelStatus, "publicAddress"> & {
  publicAddress?: { ip: string; port: number };
  at: number;
};

/** Short timings: lab tests finish quickly, while nothing asserts how quickly. */
export const LAB_TIMING: RunTunnelConfig["timing"] = {
  keepaliveIntervalMs: 1_000,
  keepaliveAnswerTimeoutMs: 1_500,
  recheckIntervalMs: 2_000,
  networkPollMs: 1_000,
  stunTimeoutMs: 2_000,
  stableAfterMs: 1_000,
  backoff: { initialMs: 250, maxMs: 2_000, factor: 2, jitter: 0.3 },
};

function nodeWithTsx(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ["--import", import.meta.resolve("tsx"), script, ...args]];
}

/** An HTTP server in WAN that keeps connections open as long as the client wants. */
export async function startKeepaliveTarget(lab: Lab): Promise<string> {
  const ip = lab.wanServerIps.primary;
  const script = `const s=require("node:http").createServer((q,r)=>r.end());s.keepAliveTimeout=0;s.listen(${KEEPALIVE_PORT},"${ip}")`;
  lab.spawn("wan", process.execPath, ["-e", script]).stdout?.resume();
  await lab.waitForListening("wan", { tcp: [`${ip}:${KEEPALIVE_PORT}`] });
  return `${ip}:${KEEPALIVE_PORT}`;
}

/** The service peers should reach: an echo on 127.0.0.1 in the LAN. */
export async function startLanEcho(lab: Lab): Promise<void> {
  lab.spawn("lan", "socat", [`TCP4-LISTEN:${ECHO_PORT},bind=127.0.0.1,reuseaddr,fork`, "EXEC:cat"]);
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${ECHO_PORT}`] });
}

/** Our STUN server in WAN, started when the test wants it (labs made with stun: "none"). */
export async function startStunServerLater(lab: Lab): Promise<ChildProcess> {
  const { primary, alternate } = lab.wanServerIps;
  const { port, altPort } = lab.stunPorts;
  const [file, args] = nodeWithTsx(STUN_SERVER, [
    "--primary",
    primary,
    "--alternate",
    alternate,
    "--port",
    String(port),
    "--alt-port",
    String(altPort),
  ]);
  const child = lab.spawn("wan", file, args);
  child.stdout?.resume();
  child.stderr?.resume();
  await lab.waitForListening("wan", { tcp: [`${primary}:${port}`] });
  return child;
}

/** A tunnel running inside the LAN namespace; its changes arrive as they are printed. */
export class LabTunnel {
  readonly seen: SeenStatus[] = [];
  private stderr = "";
  private waiters: (() => void)[] = [];

  private constructor(readonly child: ChildProcess) {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        this.seen.push(JSON.parse(buffer.slice(0, nl)) as SeenStatus);
        buffer = buffer.slice(nl + 1);
        for (const wake of this.waiters.splice(0)) wake();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-6_000);
    });
  }

  static start(lab: Lab, config: Omit<RunTunnelConfig, "timing" | "targetPort"> & Partial<RunTunnelConfig>) {
    const full: RunTunnelConfig = { timing: LAB_TIMING, targetPort: ECHO_PORT, ...config };
    const [file, args] = nodeWithTsx(RUNNER, [JSON.stringify(full)]);
    return new LabTunnel(lab.spawn("lan", file, args));
  }

  get latest(): SeenStatus | undefined {
    return this.seen.at(-1);
  }

  /** The first status from index `from` on that satisfies `test`; fails with the runner's log after `timeoutMs`. */
  async waitFor(
    test: (s: SeenStatus) => boolean,
    what: string,
    from = 0,
    timeoutMs = 60_000,
  ): Promise<SeenStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.slice(from).find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(
          `tunnel never reached: ${what}\nstatus lines:\n${this.seen.map((s) => `${s.state} ${s.reason}`).join("\n")}\nlog:\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/**
 * Send a line from a WAN address to `to` and return what came back ("" when nothing got through). The
 * echo half-closes back at once, so a generous default bound costs nothing when the line gets through and
 * leaves a loaded machine room when it does so late.
 */
export async function peerRoundTrip(
  lab: Lab,
  fromIp: string,
  to: { ip: string; port: number },
  timeoutSeconds = 10,
): Promise<{ sent: string; got: string }> {
  const sent = `hello-${randomBytes(4).toString("hex")}`;
  const result = await lab.exec(
    "wan",
    "socat",
    [
      "-T",
      `${timeoutSeconds}`,
      "-t",
      `${timeoutSeconds}`,
      "-",
      `TCP4:${to.ip}:${to.port},bind=${fromIp},connect-timeout=${timeoutSeconds}`,
    ],
    { input: `${sent}\n`, timeoutMs: (3 * timeoutSeconds + 5) * 1000 },
  );
  return { sent, got: result.stdout.trim() };
}

/**
 * Knock until the tunnel's currently published address echoes, as a peer that retries would.
 * Returns that address and when it first worked; fails after `timeoutMs`.
 */
export async function reachThroughTunnel(
  lab: Lab,
  tunnel: LabTunnel,
  fromIp: string,
  timeoutMs = 60_000,
): Promise<{ address: { ip: string; port: number }; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const status = tunnel.latest;
    if (status?.state === "OPEN" && status.publicAddress) {
      // Short knocks: a knock on an address that just went stale must not hide the new one for long.
      const { sent, got } = await peerRoundTrip(lab, fromIp, status.publicAddress, 1);
      // The address must still be the published one: an echo through a stale one proves nothing.
      if (got === sent && tunnel.latest === status) return { address: status.publicAddress, at: Date.now() };
      last = `sent ${sent} to ${status.publicAddress.ip}:${status.publicAddress.port}, got ${JSON.stringify(got)}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no WAN peer got through the tunnel within ${timeoutMs} ms (${last || "never OPEN"})`);
}
