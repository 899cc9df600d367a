import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import type { PinholeStatus } from "./pinholes/pinhole-types.js";
import type { RunPinholesConfig } from "./testing/run-pinholes.js";

/**
 * The pinhole keeper against real miniupnpd on the two-level IPv6 lab's home router, whose stateful
 * filter drops new inbound IPv6: UPnP IGD v2 found by SSDP over IPv6, PCP on the IPv6 default router,
 * a WAN peer's TCP connection and UDP datagram getting in only while the pinholes are open, renewal
 * before the lease ends, and deletion on stop and on SIGTERM.
 */

const RUNNER = new URL("./testing/run-pinholes.ts", import.meta.url).pathname;
const PORT = 41_611;
const GREETING = "pinhole-open";

type Line = PinholeStatus & { kind: "status" | "stopped"; leaseEndsAt?: string };

class LabKeeper {
  private readonly lines: Line[] = [];
  private waiters: Array<() => void> = [];
  private stderr = "";
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (text) => {
      this.lines.push(JSON.parse(text) as Line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static start(lab: Lab, config: RunPinholesConfig): LabKeeper {
    const args = [
      "netns",
      "exec",
      lab.namespaces.lan,
      process.execPath,
      "--import",
      import.meta.resolve("tsx"),
    ];
    return new LabKeeper(
      spawn("ip", [...args, RUNNER, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] }),
    );
  }

  /** The first status line from `from` on that satisfies `test` (bounded for a loaded machine starting tsx). */
  async next(test: (line: Line) => boolean, from = 0, timeoutMs = 60_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching status; got ${JSON.stringify(this.lines)}\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  get count(): number {
    return this.lines.length;
  }

  stop(how: "stdin" | "SIGTERM"): Promise<Line> {
    if (how === "stdin") this.child.stdin?.write("stop\n");
    else this.child.kill("SIGTERM");
    return this.next((l) => l.kind === "stopped");
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

async function listen(lab: Lab): Promise<void> {
  const ip = lab.ipv6!.lanIp;
  lab.spawn("lan", "socat", [`TCP6-LISTEN:${PORT},bind=[${ip}],reuseaddr,fork`, `SYSTEM:echo ${GREETING}`]);
  await lab.waitForListening("lan", { tcp: [`[${ip}]:${PORT}`] });
}

/** A WAN peer's TCP connection to the LAN host's port: the greeting, or "" when the firewall dropped it. */
async function knockTcp(lab: Lab, peer: string): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:[${lab.ipv6!.lanIp}]:${PORT},bind=[${peer}],connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

/** One datagram from a WAN peer to the LAN host's port: what arrived, or "" when nothing did. */
async function knockUdp(lab: Lab, peer: string, text: string): Promise<string> {
  const ip = lab.ipv6!.lanIp;
  const receiver = lab.spawn("lan", "socat", ["-u", `UDP6-RECV:${PORT},bind=[${ip}]`, "STDOUT"]);
  let got = "";
  receiver.stdout?.on("data", (chunk: Buffer) => {
    got += chunk.toString();
  });
  await lab.waitForListening("lan", { udp: [`[${ip}]:${PORT}`] });
  await lab.exec("wan", "socat", ["-u", "STDIN", `UDP6-SENDTO:[${ip}]:${PORT},bind=[${peer}]`], {
    input: `${text}\n`,
  });
  const deadline = Date.now() + 2_000;
  while (!got.includes("\n") && Date.now() < deadline) await delay(25);
  receiver.kill("SIGTERM");
  return got.trim();
}

async function twoLevelIpv6Lab(context: TestContext) {
  const lab = await createTestLab(
    { nat: "NAT1", stun: "none", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } },
    context,
  );
  await listen(lab);
  return { lab, peer: await lab.addWanAddress6() };
}

function startKeeper(lab: Lab, context: TestContext, config: Omit<RunPinholesConfig, "address" | "port">) {
  const keeper = LabKeeper.start(lab, { address: lab.ipv6!.lanIp, port: PORT, ...config });
  context.onTestFinished(() => keeper.kill());
  return keeper;
}

/** The lab's pinholes for PORT, sorted TCP first. */
async function pinholesOfPort(lab: Lab) {
  const all = await lab.homeRouter!.pinholes();
  return all.filter((p) => p.port === PORT).sort((a, b) => a.transport.localeCompare(b.transport));
}

describe.concurrent("PinholeKeeper against miniupnpd on the two-level IPv6 lab", () => {
  test("UPnP: found over IPv6, opens TCP and UDP, renews with UpdatePinhole, SIGTERM deletes them", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, peer } = await twoLevelIpv6Lab(context);
    expect(await knockTcp(lab, peer)).toBe("");

    const keeper = startKeeper(lab, context, {
      leaseSeconds: 6,
      transports: ["TCP", "UDP"],
      via: "discover",
    });
    const open = await keeper.next((l) => l.state === "open");
    expect(open).toMatchObject({
      protocol: "upnp",
      gateway: lab.homeRouter?.descriptionUrl6,
      address: lab.ipv6?.lanIp,
      port: PORT,
      tcp: true,
      udp: true,
    });
    const before = await pinholesOfPort(lab);
    expect(before.map((p) => [p.transport, p.address])).toEqual([
      ["TCP", lab.ipv6?.lanIp],
      ["UDP", lab.ipv6?.lanIp],
    ]);
    expect(await knockTcp(lab, peer)).toBe(GREETING);
    expect(await knockUdp(lab, peer, "through-the-pinhole")).toBe("through-the-pinhole");

    // Renewed at half the lease: the same pinholes (UniqueIDs kept), their lease ends later.
    const renewed = await keeper.next(
      (l) => l.state === "open" && Date.parse(l.leaseEndsAt ?? "") > Date.parse(open.leaseEndsAt ?? ""),
      keeper.count,
    );
    expect(renewed.error).toBeUndefined();
    const after = await pinholesOfPort(lab);
    expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id));
    for (const [i, p] of after.entries())
      expect(p.leaseEndsAt!.getTime()).toBeGreaterThan(before[i]!.leaseEndsAt!.getTime());
    expect(lab.homeRouter!.log()).toContain("UpdatePinhole");

    const stopped = await keeper.stop("SIGTERM");
    expect(stopped).toMatchObject({ state: "removed", tcp: false, udp: false });
    expect(stopped.error).toBeUndefined();
    expect(await pinholesOfPort(lab)).toEqual([]);
    expect(await knockTcp(lab, peer)).toBe("");
  });

  test("PCP over IPv6: opens the pinholes on the default router, renews with the same nonce, ends them on stop", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, peer } = await twoLevelIpv6Lab(context);
    const keeper = startKeeper(lab, context, { leaseSeconds: 6, transports: ["TCP", "UDP"], via: "pcp" });
    const open = await keeper.next((l) => l.state === "open");
    expect(open).toMatchObject({ protocol: "pcp", gateway: lab.homeRouter?.lanIp6, tcp: true, udp: true });
    const before = await pinholesOfPort(lab);
    expect(before.map((p) => p.transport)).toEqual(["TCP", "UDP"]);
    expect(before[0]?.description).toMatch(/^PCP MAP [0-9a-f]{24}$/);
    expect(await knockTcp(lab, peer)).toBe(GREETING);

    const renewed = await keeper.next(
      (l) => l.state === "open" && Date.parse(l.leaseEndsAt ?? "") > Date.parse(open.leaseEndsAt ?? ""),
      keeper.count,
    );
    expect(renewed.error).toBeUndefined();
    // The same nonce renews the same pinholes (UniqueIDs kept) to a later lease end. miniupnpd 2.3.1
    // drops the "PCP MAP <nonce>" description from their labels as it does so.
    const after = await pinholesOfPort(lab);
    expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id));
    for (const [i, p] of after.entries())
      expect(p.leaseEndsAt!.getTime()).toBeGreaterThan(before[i]!.leaseEndsAt!.getTime());
    expect(after.map((p) => p.description)).toEqual(["", ""]);

    // miniupnpd 2.3.1 refuses to delete a renewed PCP pinhole (it lost the nonce from the label), so the
    // keeper cuts its lease to the router's minimum (2 s here) and says so.
    const stopped = await keeper.stop("stdin");
    expect(stopped.state).toBe("removed");
    expect(stopped.error).toMatch(/refused to delete the (TCP|UDP) pinhole .*lease was cut to 2 s/);
    const deadline = Date.now() + 15_000;
    while ((await pinholesOfPort(lab)).length > 0 && Date.now() < deadline) await delay(250);
    expect(await pinholesOfPort(lab)).toEqual([]);
    expect(await knockTcp(lab, peer)).toBe("");
  });

  test("PCP to a link-local default router (as routers advertise themselves): open, then deleted on stop", {
    timeout: 180_000,
  }, async (context) => {
    const { lab, peer } = await twoLevelIpv6Lab(context);
    const shown = await lab.exec("home", "ip", ["-6", "-o", "addr", "show", "dev", "lan0", "scope", "link"]);
    const linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec(shown.stdout)?.[1];
    expect(linkLocal).toBeDefined();
    const route = await lab.exec("lan", "ip", [
      "-6",
      "route",
      "replace",
      "default",
      "via",
      linkLocal!,
      "dev",
      "eth0",
    ]);
    expect(route.code).toBe(0);

    const keeper = startKeeper(lab, context, { leaseSeconds: 60, transports: ["TCP"], via: "pcp" });
    const open = await keeper.next((l) => l.state === "open");
    expect(open).toMatchObject({ protocol: "pcp", gateway: `${linkLocal}%eth0`, tcp: true, udp: false });
    expect(await knockTcp(lab, peer)).toBe(GREETING);

    // Not renewed yet, so the nonce still deletes it at once.
    const stopped = await keeper.stop("stdin");
    expect(stopped).toMatchObject({ state: "removed", tcp: false });
    expect(stopped.error).toBeUndefined();
    expect(await pinholesOfPort(lab)).toEqual([]);
    expect(await knockTcp(lab, peer)).toBe("");
  });
});
