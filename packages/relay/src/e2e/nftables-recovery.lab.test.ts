import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { startKeepaliveTarget } from "../tunnel/testing/lab-tunnel.js";
import { LabRelay, reachThroughPublished } from "./lab-relay.js";
import { startWhoService } from "./lab-services.js";

/**
 * `forward: nftables` recovering by itself behind a remapping NAT1 router: after the router forgets its
 * mappings, and after its WAN address changes, the tunnel re-punches, the kernel rules follow the
 * tunnel's port, and a WAN peer reaches the LAN service through the new public address. Recovery times
 * are printed, never asserted.
 */

const LOCAL_PORT = 40_777;
const WHO_PORT = 7_002;

async function openNftablesRelay(lab: Lab) {
  await startWhoService(lab, "127.0.0.1", WHO_PORT);
  const relay = LabRelay.start(lab, {
    id: "lab",
    mode: "nftables",
    stunServers: [...lab.stunServers.tcp],
    keepaliveTarget: await startKeepaliveTarget(lab),
    localPort: LOCAL_PORT,
    target: `127.0.0.1:${WHO_PORT}`,
  });
  const open = await relay.waitFor((s) => s.state === "OPEN", "OPEN");
  await relay.waitForForwarding(open.localPort as number);
  return relay;
}

async function recovers(what: "resetMappings" | "changePublicIp", lab: Lab) {
  const relay = await openNftablesRelay(lab);
  const peer = await lab.addWanAddress();
  const first = await reachThroughPublished(lab, relay, peer, "before");
  const before = first.status;
  // DNAT keeps the source: the service sees the WAN peer itself.
  expect(first.got).toMatch(new RegExp(`^peer=${peer.replaceAll(".", "\\.")} port=\\d+`));

  const t0 = Date.now();
  await (what === "resetMappings" ? lab.resetMappings() : lab.changePublicIp());
  const after = await reachThroughPublished(lab, relay, peer, `after-${what}`);
  console.log(
    `recovery nftables remapping after ${what}: ` +
      JSON.stringify({
        peerThroughMs: after.at - t0,
        from: `${before.publicAddress?.ip}:${before.publicAddress?.port} (P ${before.localPort})`,
        to: `${after.status.publicAddress?.ip}:${after.status.publicAddress?.port} (P ${after.status.localPort})`,
        rulesLoadedFor: relay.forwarding,
      }),
  );
  expect(after.got).toMatch(new RegExp(`^peer=${peer.replaceAll(".", "\\.")} port=\\d+`));
  expect(after.status.recoveryCount).toBeGreaterThan(before.recoveryCount);
  expect(after.status.publicAddress?.ip).toBe(lab.publicIp);
  await relay.stop();
  return { before, after: after.status };
}

describe.concurrent("forward: nftables behind a remapping NAT1 router recovers by itself", () => {
  test("after the router forgets its mappings: a new public port, and peers get in again", {
    timeout: 150_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const { before, after } = await recovers("resetMappings", lab);
    expect(after.publicAddress?.port).not.toBe(before.publicAddress?.port);
  });

  test("after the router's WAN address changes: the new address is published and peers get in again", {
    timeout: 150_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const { before, after } = await recovers("changePublicIp", lab);
    expect(after.publicAddress?.ip).not.toBe(before.publicAddress?.ip);
  });
});
