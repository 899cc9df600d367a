import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import type { ConnectionRecord } from "../connections/connection-record.js";
import type { ForwarderStats } from "../forward/forwarder-options.js";
import type { NftablesStats } from "../nftables/nftables-forwarding.js";
import { startKeepaliveTarget, startLanEcho } from "../tunnel/testing/lab-tunnel.js";
import { knock, LabRelay, LivePeer } from "./lab-relay.js";
import { autostunTable, routeLocalnet, startWhoService } from "./lab-services.js";
import type { RelayMode } from "./run-relay.js";

/**
 * The whole relay in the NAT lab: NAT1 router (port-preserving, our STUN server), the relay inside the
 * LAN namespace, peers in WAN, the service on 127.0.0.1 in the LAN. Every address and rule lives in the
 * lab's own namespaces.
 */

const LOCAL_PORT = 40_666;
const WHO_PORT = 7_001;

async function openRelay(lab: Lab, mode: RelayMode, target?: string) {
  const keepaliveTarget = await startKeepaliveTarget(lab);
  const relay = LabRelay.start(lab, {
    id: "lab",
    mode,
    stunServers: [...lab.stunServers.tcp],
    keepaliveTarget,
    localPort: LOCAL_PORT,
    ...(target ? { target } : {}),
  });
  const open = await relay.waitFor((s) => s.state === "OPEN", "OPEN");
  if (mode === "nftables") await relay.waitForForwarding(open.localPort!);
  return { relay, open, at: open.publicAddress! };
}

/** Waits until the kernel's ban set of the tunnel no longer holds `peer`. */
async function kernelBanGone(lab: Lab, peer: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const elements = (await autostunTable(lab))?.elements ?? [];
    if (!elements.join().includes(peer)) return;
    if (Date.now() > deadline) throw new Error(`${peer} stayed in the kernel's ban set: ${elements}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ban `peer`, and see its live connection end and its next one refused; then unban and get through. */
async function banCycle(
  lab: Lab,
  relay: LabRelay,
  peer: string,
  at: { ip: string; port: number },
  refusedBy: "kernel" | "relay",
) {
  const live = LivePeer.open(lab, peer, at);
  live.send("before-ban");
  await live.waitToReceive("before-ban");

  const bannedAt = Date.now();
  await relay.ask({ op: "ban", cidr: `${peer}/32`, reason: "lab" } as never);
  // The ban itself ends the connection (the peer never does); how fast is printed, not asserted: a
  // loaded machine delays the peer process noticing.
  const closedAt = await Promise.race([
    live.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the banned peer's live connection stayed open")), 20_000),
    ),
  ]);
  console.log(`ban: live connection closed ${closedAt - bannedAt} ms after the ban was sent`);

  const refused = await knock(lab, peer, at, "while-banned");
  expect(refused.got).toBe("");
  // The kernel answers the SYN with a reset: the peer's connect fails at once instead of timing out.
  // The relay has to accept before it can reset, so there the peer only sees its bytes go unanswered.
  if (refusedBy === "kernel") expect(refused.stderr).toMatch(/Connection refused/);

  await relay.ask({ op: "unban", cidr: `${peer}/32` });
  // The relay answers once its ban list changed; the kernel's set follows with an nft run of its own.
  if (refusedBy === "kernel") await kernelBanGone(lab, peer);
  const back = await knock(lab, peer, at, "after-unban");
  expect(back.got).toContain("after-unban");
}

describe.concurrent("the relay behind a NAT1 router", () => {
  test("userspace: bytes both ways, the connection table and resolvePeer, bans at once and lifted", {
    timeout: 120_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    await startLanEcho(lab);
    const { relay, open, at } = await openRelay(lab, "userspace");
    expect(open).toMatchObject({ path: "userspace", listenPort: LOCAL_PORT });
    const peer = await lab.addWanAddress();

    const first = await knock(lab, peer, at, "hello-through");
    expect(first.got).toBe("hello-through");
    const [record] = await relay.ask<ConnectionRecord[]>({ op: "connections" });
    expect(record?.remoteAddress).toMatch(new RegExp(`^${peer.replaceAll(".", "\\.")}:\\d+$`));
    expect(record?.bytesIn).toBeGreaterThan(0);
    expect(record?.bytesOut).toBeGreaterThan(0);
    expect(record?.proxyAddress).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
    expect(record?.proxyAddress?.startsWith("127.0.0.1:")).toBe(false);
    const resolved = await relay.ask<ConnectionRecord | null>({
      op: "resolve",
      address: record!.proxyAddress!,
    });
    expect(resolved?.remoteAddress).toBe(record?.remoteAddress);

    await banCycle(lab, relay, peer, at, "relay");
    const stats = await relay.ask<ForwarderStats>({ op: "stats" });
    expect(stats.blockedByBan).toBeGreaterThanOrEqual(1);
    expect(stats.closedByBan).toBe(1);
    await relay.stop();
  });

  test("nftables: the kernel forwards with the real address, counts in nft, bans, and leaves nothing behind", {
    timeout: 150_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    await startWhoService(lab, "127.0.0.1", WHO_PORT);
    expect(await routeLocalnet(lab)).toBe("0");
    const { relay, open, at } = await openRelay(lab, "nftables", `127.0.0.1:${WHO_PORT}`);
    expect(open.path).toBe("nftables");
    expect(open.listenPort).toBeUndefined();
    const peer = await lab.addWanAddress();

    const first = await knock(lab, peer, at, "through-the-kernel");
    // The service saw the peer's own WAN address: DNAT keeps the source.
    expect(first.got).toMatch(
      new RegExp(`^peer=${peer.replaceAll(".", "\\.")} port=\\d+\nthrough-the-kernel$`),
    );
    const counted = await relay.ask<NftablesStats>({ op: "stats" });
    expect(counted.handled).toBeGreaterThanOrEqual(1);
    expect(counted.bytesIn).toBeGreaterThan(0);
    expect(counted.bytesOut).toBeGreaterThan(0);

    await banCycle(lab, relay, peer, at, "kernel");
    // The cut is counted once `ss -K` has returned to the relay, which the peer's close may beat.
    let afterBan = await relay.ask<NftablesStats>({ op: "stats" });
    for (const deadline = Date.now() + 20_000; afterBan.closedByBan < 1 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      afterBan = await relay.ask<NftablesStats>({ op: "stats" });
    }
    expect(afterBan.blocked).toBeGreaterThanOrEqual(1);
    expect(afterBan.closedByBan).toBeGreaterThanOrEqual(1);

    await relay.stop();
    expect(await autostunTable(lab)).toBeUndefined();
    expect(await routeLocalnet(lab)).toBe("0");

    // A crash leaves the table (and a ban in it) behind; the next start replaces it whole.
    const crashed = (await openRelay(lab, "nftables", `127.0.0.1:${WHO_PORT}`)).relay;
    await crashed.ask({ op: "ban", cidr: "198.18.0.0/15" });
    // The ban reaches the kernel's set with an nft run of its own: wait for it (by time, not by count).
    let leftover = await autostunTable(lab);
    const deadline = Date.now() + 20_000;
    while (!leftover?.elements.join().includes("198.18.0.0") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      leftover = await autostunTable(lab);
    }
    await crashed.crash();
    expect(await autostunTable(lab)).toEqual(leftover);
    expect(leftover?.elements.join()).toContain("198.18.0.0");

    const next = await openRelay(lab, "nftables", `127.0.0.1:${WHO_PORT}`);
    const again = await knock(lab, peer, next.at, "after-crash");
    expect(again.got).toContain("after-crash");
    const replaced = await autostunTable(lab);
    expect(replaced?.elements).toEqual([]);
    expect(replaced?.chains.length).toBe(leftover?.chains.length);
    await next.relay.stop();
    expect(await autostunTable(lab)).toBeUndefined();
    expect(await routeLocalnet(lab)).toBe("0");
  });
});
