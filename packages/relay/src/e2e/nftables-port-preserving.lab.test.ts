import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { expect, test } from "vitest";
import type { SeenStatus } from "../tunnel/testing/lab-tunnel.js";
import { startKeepaliveTarget } from "../tunnel/testing/lab-tunnel.js";
import { LabRelay, reachThroughPublished } from "./lab-relay.js";
import { autostunTable, routeLocalnet, startWhoService } from "./lab-services.js";

/**
 * `forward: nftables` behind a port-preserving NAT1 router, where the public port is P itself and the
 * kernel's DNAT on P is the whole inbound path. The router forgets its mappings, then moves to a new
 * WAN address; each time the tunnel must be OPEN with the router's current address and a WAN peer
 * must reach the LAN service with its own address kept. Then stop and a crash: no rule may outlive
 * the relay past its next start. Times are printed, never asserted.
 */

const LOCAL_PORT = 40_888;
const WHO_PORT = 7_003;

function startRelay(lab: Lab, keepaliveTarget: string) {
  return LabRelay.start(lab, {
    id: "lab",
    mode: "nftables",
    stunServers: [...lab.stunServers.tcp],
    keepaliveTarget,
    localPort: LOCAL_PORT,
    target: `127.0.0.1:${WHO_PORT}`,
  });
}

const sawPeer = (peer: string) => new RegExp(`^peer=${peer.replaceAll(".", "\\.")} port=\\d+`);

function expectOpenOnP(status: SeenStatus, lab: Lab): void {
  expect(status.state).toBe("OPEN");
  expect(status.path).toBe("nftables");
  expect(status.publicAddress?.ip).toBe(lab.publicIp);
  // Port-preserving: the public port is the local one, and the DNAT rule is on that very port.
  expect(status.publicAddress?.port).toBe(status.localPort);
}

test("forward: nftables on a port-preserving NAT1 router: back to OPEN after lost mappings and a new WAN address, peers get in again, no rule outlives stop or a crash", {
  timeout: 240_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  await startWhoService(lab, "127.0.0.1", WHO_PORT);
  const keepaliveTarget = await startKeepaliveTarget(lab);
  const relay = startRelay(lab, keepaliveTarget);
  const peer = await lab.addWanAddress();
  const first = await reachThroughPublished(lab, relay, peer, "before");
  expectOpenOnP(first.status, lab);
  expect(first.got).toMatch(sawPeer(peer));

  let t0 = Date.now();
  await lab.resetMappings();
  const reset = await reachThroughPublished(lab, relay, peer, "after-resetMappings");
  console.log(
    `nftables port-preserving after resetMappings: peer through after ${reset.at - t0} ms, ` +
      `recoveries ${first.status.recoveryCount} -> ${reset.status.recoveryCount}`,
  );
  expectOpenOnP(reset.status, lab);
  expect(reset.got).toMatch(sawPeer(peer));

  const beforeMove = reset.status;
  t0 = Date.now();
  await lab.changePublicIp();
  const moved = await reachThroughPublished(lab, relay, peer, "after-changePublicIp");
  console.log(
    `nftables port-preserving after changePublicIp: peer through after ${moved.at - t0} ms, ` +
      `${beforeMove.publicAddress?.ip}:${beforeMove.publicAddress?.port} -> ${moved.status.publicAddress?.ip}:${moved.status.publicAddress?.port}`,
  );
  expectOpenOnP(moved.status, lab);
  expect(moved.status.publicAddress?.ip).not.toBe(beforeMove.publicAddress?.ip);
  expect(moved.status.recoveryCount).toBeGreaterThan(beforeMove.recoveryCount);
  expect(moved.got).toMatch(sawPeer(peer));

  await relay.stop();
  expect(await autostunTable(lab)).toBeUndefined();
  expect(await routeLocalnet(lab)).toBe("0");

  // A crash after a recovery: its rules (for whichever P it had then) stay until the next start,
  // which replaces them, and that one's stop leaves nothing.
  const crashed = startRelay(lab, keepaliveTarget);
  await reachThroughPublished(lab, crashed, peer, "before-crash");
  await lab.changePublicIp();
  await reachThroughPublished(lab, crashed, peer, "recovered-before-crash");
  await crashed.crash();
  expect(await autostunTable(lab)).toBeDefined();

  const next = startRelay(lab, keepaliveTarget);
  const again = await reachThroughPublished(lab, next, peer, "after-crash");
  expectOpenOnP(again.status, lab);
  expect(again.got).toMatch(sawPeer(peer));
  await next.stop();
  expect(await autostunTable(lab)).toBeUndefined();
  expect(await routeLocalnet(lab)).toBe("0");
});
