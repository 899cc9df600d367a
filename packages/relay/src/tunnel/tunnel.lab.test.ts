import type { Lab, LabStunServer } from "@autostun/netlab";
import { createTestLab, routeLanFromSecondAddress } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import {
  LabTunnel,
  peerRoundTrip,
  reachThroughTunnel,
  startKeepaliveTarget,
  startLanEcho,
  startStunServerLater,
} from "./testing/lab-tunnel.js";

/**
 * The tunnel in the NAT lab: it runs inside the LAN namespace behind a NAT1 router, peers come from
 * the WAN namespace, and the router loses its mappings or its address while the tunnel runs.
 * Recovery figures are printed (lines starting with "recovery"), never asserted beyond "by itself".
 */

const LOCAL_PORT = 40_555;

async function openTunnel(lab: Lab, stunServers: readonly string[]) {
  const [keepaliveTarget] = await Promise.all([startKeepaliveTarget(lab), startLanEcho(lab)]);
  return LabTunnel.start(lab, { stunServers: [...stunServers], keepaliveTarget, localPort: LOCAL_PORT });
}

/** Break the router with `disturb`, then wait until a WAN peer gets through again; report the times. */
async function survives(
  lab: Lab,
  tunnel: LabTunnel,
  peer: string,
  what: string,
  disturb: () => Promise<unknown>,
) {
  const from = tunnel.seen.length;
  const before = tunnel.latest!.publicAddress!;
  const recoveriesBefore = tunnel.latest!.recoveryCount;
  const t0 = Date.now();
  await disturb();
  const reached = await reachThroughTunnel(lab, tunnel, peer);
  const recovering = tunnel.seen.slice(from).find((s) => s.state === "RECOVERING");
  const latest = tunnel.latest!;
  console.log(
    `recovery ${lab.options.stun} portPreserving=${lab.options.portPreserving} after ${what}: ` +
      JSON.stringify({
        noticedMs: recovering ? recovering.at - t0 : null,
        openMs: recovering ? latest.at - t0 : null,
        tunnelReportedMs: recovering ? latest.lastRecoveryMs : null,
        peerThroughMs: reached.at - t0,
        from: `${before.ip}:${before.port}`,
        to: `${reached.address.ip}:${reached.address.port}`,
        reason: recovering?.reason ?? "(no recovery needed: the keep-alive re-created the same mapping)",
      }),
  );
  expect(latest.state).toBe("OPEN");
  return { before, after: reached.address, recovered: latest.recoveryCount > recoveriesBefore };
}

const routers: { portPreserving: boolean; stun: LabStunServer }[] = [
  { portPreserving: true, stun: "ours" },
  { portPreserving: false, stun: "coturn" },
];

describe.concurrent("a tunnel behind a NAT1 router", () => {
  test.for(routers)(
    "portPreserving $portPreserving, $stun STUN: a WAN peer reaches the LAN service, and again after lost mappings and a new WAN address",
    { timeout: 180_000 },
    async ({ portPreserving, stun }, context) => {
      const lab = await createTestLab({ nat: "NAT1", portPreserving, stun }, context);
      const tunnel = await openTunnel(lab, lab.stunServers.tcp);
      const open = await tunnel.waitFor((s) => s.state === "OPEN", "OPEN");
      expect(open.localPort).toBe(LOCAL_PORT);
      expect(open.publicAddress?.ip).toBe(lab.publicIp);
      if (portPreserving) expect(open.publicAddress?.port).toBe(LOCAL_PORT);
      else expect(open.publicAddress?.port).not.toBe(LOCAL_PORT);

      const peer = await lab.addWanAddress();
      const { sent, got } = await peerRoundTrip(lab, peer, open.publicAddress!);
      expect(got).toBe(sent);

      const reset = await survives(lab, tunnel, peer, "resetMappings", () => lab.resetMappings());
      expect(reset.after.ip).toBe(lab.publicIp);
      // A remapping router hands out a new public port, which only a re-punch can learn.
      if (!portPreserving) {
        expect(reset.recovered).toBe(true);
        expect(reset.after.port).not.toBe(reset.before.port);
      }

      const moved = await survives(lab, tunnel, peer, "changePublicIp", () => lab.changePublicIp());
      expect(moved.recovered).toBe(true);
      expect(moved.after.ip).toBe(lab.publicIp);
      expect(moved.after.ip).not.toBe(moved.before.ip);
      expect(tunnel.latest?.lastRecoveryAt).toBeDefined();
    },
  );

  test("on a LAN host with two addresses, the private address is the one routing picks, not the first one", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const second = await routeLanFromSecondAddress(lab);
    const tunnel = await openTunnel(lab, lab.stunServers.tcp);
    const open = await tunnel.waitFor((s) => s.state === "OPEN", "OPEN");
    expect(open.privateAddress).toEqual({ ip: second, port: LOCAL_PORT });
    expect(second).not.toBe(lab.lanIp);
    // That address's mapping is the one peers use.
    const { sent, got } = await peerRoundTrip(lab, await lab.addWanAddress(), open.publicAddress!);
    expect(got).toBe(sent);
  }, 120_000);

  test("with every STUN server down it is FAILED with the reason, keeps retrying, and opens once one is back", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "none" }, context);
    const { primary, alternate } = lab.wanServerIps;
    const servers = [primary, alternate].map((ip) => `${ip}:${lab.stunPorts.port}`);
    const tunnel = await openTunnel(lab, servers);

    const failing = await tunnel.waitFor(
      (s) => s.state === "FAILED" && s.failedAttempts >= 3,
      "three failed attempts",
    );
    expect(failing.reason).toContain("no STUN server answered over TCP");
    for (const server of servers) expect(failing.reason).toContain(server);
    expect(failing.nextRetryAt).toBeDefined();
    expect(tunnel.seen.some((s) => s.state === "OPEN")).toBe(false);

    await startStunServerLater(lab);
    const open = await tunnel.waitFor((s) => s.state === "OPEN", "OPEN once a server is back");
    expect(open.failedAttempts).toBe(0);
    const { sent, got } = await peerRoundTrip(lab, await lab.addWanAddress(), open.publicAddress!);
    expect(got).toBe(sent);
  }, 120_000);
});
