import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import type { TunnelIpv6View } from "./tunnel-ipv6-view.js";

/**
 * The tunnels' IPv6 paths with every real part, in the two-level IPv6 lab whose home router drops new
 * inbound IPv6 and runs miniupnpd: the LAN host's address read with `ip`, the router found over IPv6
 * SSDP, the pinholes opened on the downloader's port, moved with it, and deleted when the tunnel stops,
 * when upnp is turned off and on SIGTERM. A WAN peer's connection shows what the router lets in.
 */

const RUNNER = new URL("./testing/run-ipv6-paths.ts", import.meta.url).pathname;
const FIRST = 41_711;
const SECOND = 41_712;
const GREETING = "ipv6-path";

type Line = { kind: "view" | "stopped" | "off"; view?: TunnelIpv6View | null };

class LabPaths {
  private readonly lines: Line[] = [];
  private stderr = "";
  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (text) => this.lines.push(JSON.parse(text) as Line));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static start(lab: Lab, context: TestContext): LabPaths {
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        lab.namespaces.lan,
        process.execPath,
        "--import",
        import.meta.resolve("tsx"),
        RUNNER,
        JSON.stringify({ leaseSeconds: 600 }),
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    context.onTestFinished(() => void child.kill("SIGKILL"));
    return new LabPaths(child);
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  async next(test: (line: Line) => boolean, timeoutMs = 60_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`nothing matched; got ${JSON.stringify(this.lines)}\nstderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Forgets what was printed, so the next wait sees only what comes after. */
  clear(): void {
    this.lines.length = 0;
  }

  sigterm(): Promise<Line> {
    this.child.kill("SIGTERM");
    return this.next((l) => l.kind === "stopped");
  }
}

async function listen(lab: Lab, port: number): Promise<void> {
  lab.spawn("lan", "socat", [`TCP6-LISTEN:${port},reuseaddr,fork`, `SYSTEM:echo ${GREETING}`]);
  await lab.waitForListening("lan", { tcp: [`[::]:${port}`] });
}

async function knock(lab: Lab, peer: string, port: number): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:[${lab.ipv6!.lanIp}]:${port},bind=[${peer}],connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

async function pinholes(lab: Lab): Promise<string[]> {
  const all = await lab.homeRouter!.pinholes();
  return all.map((p) => `[${p.address}]:${p.port}/${p.transport}`).sort();
}

const openOn = (port: number) => (l: Line) => l.view?.port === port && l.view.pinhole?.state === "OPEN";

describe("IPv6 paths against miniupnpd on the two-level IPv6 lab", () => {
  test("opens TCP and UDP for the stable address on the downloader's port, follows a new port, deletes on stop, off and SIGTERM", {
    timeout: 240_000,
  }, async (context) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } },
      context,
    );
    const ip = lab.ipv6!.lanIp;
    // A deprecated address beside the stable one: listed by `ip`, never the one to open the router for.
    const deprecated = ip.replace(/::2$/, "::dead");
    const added = await lab.exec("lan", "ip", [
      "-6",
      "addr",
      "add",
      `${deprecated}/64`,
      "dev",
      "eth0",
      "preferred_lft",
      "0",
      "nodad",
    ]);
    expect(added.code).toBe(0);
    await listen(lab, FIRST);
    await listen(lab, SECOND);
    const peer = await lab.addWanAddress6();
    expect(await knock(lab, peer, FIRST)).toBe("");

    const paths = LabPaths.start(lab, context);
    paths.send(`open ${FIRST}`);
    const open = await paths.next(openOn(FIRST));
    expect(open.view).toMatchObject({
      address: ip,
      port: FIRST,
      pinhole: {
        state: "OPEN",
        protocol: "upnp",
        gateway: lab.homeRouter?.descriptionUrl6,
        tcp: true,
        udp: true,
      },
    });
    expect(await pinholes(lab)).toEqual([`[${ip}]:${FIRST}/TCP`, `[${ip}]:${FIRST}/UDP`]);
    expect(await knock(lab, peer, FIRST)).toBe(GREETING);

    // The downloader was told another port: the pinholes move with it.
    paths.clear();
    paths.send(`open ${SECOND}`);
    await paths.next(openOn(SECOND));
    expect(await pinholes(lab)).toEqual([`[${ip}]:${SECOND}/TCP`, `[${ip}]:${SECOND}/UDP`]);
    expect(await knock(lab, peer, SECOND)).toBe(GREETING);
    expect(await knock(lab, peer, FIRST)).toBe("");

    paths.clear();
    paths.send("stop-tunnel");
    await paths.next((l) => l.view?.pinhole?.state === "REMOVED");
    expect(await pinholes(lab)).toEqual([]);
    expect(await knock(lab, peer, SECOND)).toBe("");

    paths.clear();
    paths.send(`open ${SECOND}`);
    await paths.next(openOn(SECOND));
    paths.send("off");
    await paths.next((l) => l.kind === "off");
    expect(await pinholes(lab)).toEqual([]);

    // A daemon run of its own, ended the way systemd ends it.
    const again = LabPaths.start(lab, context);
    again.send(`open ${FIRST}`);
    await again.next(openOn(FIRST));
    expect(await pinholes(lab)).toEqual([`[${ip}]:${FIRST}/TCP`, `[${ip}]:${FIRST}/UDP`]);
    const stopped = await again.sigterm();
    expect(stopped.view?.pinhole).toMatchObject({ state: "REMOVED", tcp: false, udp: false });
    expect(await pinholes(lab)).toEqual([]);
    expect(await knock(lab, peer, FIRST)).toBe("");
  });
});
