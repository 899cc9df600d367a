import type { ChildProcess } from "node:child_process";
import type { Lab } from "@autostun/netlab";
import { spawnIn } from "./lan-daemon.js";

/** A peer on the internet side: socat from one WAN address to the tunnel's public address. */
export class WanPeer {
  received = "";
  readonly closed: Promise<number>;
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.received += chunk.toString();
    });
    child.stderr?.resume();
    this.closed = new Promise((resolve) => child.once("close", () => resolve(Date.now())));
  }

  static open(lab: Lab, from: string, to: { ip: string; port: number }): WanPeer {
    const address = `TCP4:${to.ip}:${to.port},bind=${from},connect-timeout=5`;
    return new WanPeer(spawnIn(lab.namespaces.wan, "socat", ["-", address]));
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /**
   * True once `line` came back; false when the connection ended or nothing came within the bound. The
   * default bound leaves room for a loaded machine starting the peer process and forwarding the line.
   */
  async echoed(line: string, timeoutMs = 20_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes(line)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline)
        return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  end(): Promise<number> {
    this.child.stdin?.end();
    return this.closed;
  }
}
