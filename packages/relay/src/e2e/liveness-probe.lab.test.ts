import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import {
  LAB_TIMING,
  LabTunnel,
  reachThroughTunnel,
  startKeepaliveTarget,
  startLanEcho,
} from "../tunnel/testing/lab-tunnel.js";

/**
 * The kernel's keep-alive probe alone notices a lost mapping. Every other signal is pushed out of
 * reach: the HTTP keep-alive and the STUN recheck come every 10 minutes and the local network is
 * polled as rarely, so a recovery within the test's bound can only come from the probe's reset.
 */
const PROBE_ONLY = {
  ...LAB_TIMING,
  keepaliveIntervalMs: 600_000,
  recheckIntervalMs: 600_000,
  networkPollMs: 600_000,
  livenessProbeMs: 1_000,
};

describe("the keep-alive connection's liveness probe", () => {
  test("notices a lost mapping and a new WAN address between two HTTP keep-alives; the tunnel re-opens by itself", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const [keepaliveTarget] = await Promise.all([startKeepaliveTarget(lab), startLanEcho(lab)]);
    const tunnel = LabTunnel.start(lab, {
      stunServers: [...lab.stunServers.tcp],
      keepaliveTarget,
      localPort: 40_556,
      timing: PROBE_ONLY,
    });
    const open = await tunnel.waitFor((s) => s.state === "OPEN", "OPEN");
    const peer = await lab.addWanAddress();
    expect((await reachThroughTunnel(lab, tunnel, peer)).address).toEqual(open.publicAddress);

    for (const [what, disturb] of [
      ["resetMappings", () => lab.resetMappings()],
      ["changePublicIp", () => lab.changePublicIp()],
    ] as const) {
      const from = tunnel.seen.length;
      const before = tunnel.latest!.publicAddress!;
      await disturb();
      const recovering = await tunnel.waitFor(
        (s) => s.state === "RECOVERING",
        `RECOVERING after ${what}`,
        from,
      );
      // The probe's reset ends the keep-alive connection; an unanswered HEAD would read differently.
      expect(recovering.reason).toMatch(/keep-alive connection .* failed|closed the connection/);
      expect(recovering.reason).not.toContain("did not answer");
      const reopened = await tunnel.waitFor((s) => s.state === "OPEN", `OPEN after ${what}`, from);
      expect(reopened.publicAddress).not.toEqual(before);
      expect(reopened.publicAddress?.ip).toBe(lab.publicIp);
      const reached = await reachThroughTunnel(lab, tunnel, peer);
      expect(reached.address).toEqual(tunnel.latest!.publicAddress);
    }
  });
});
