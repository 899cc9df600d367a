import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import type { BanOutcome, UnbanOutcome } from "../bans/ban-list.js";
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
  const banned = await relay.ask<BanOutcome>({ op: "ban", cidr: `${peer}/32`, reason: "lab" } as never);
  expect(banned.notApplied).toEqual([]);
  // The answer means in force: the very next knock is refused, with no wait for anything to follow.
  const refused = await knock(lab, peer, at, "while-banned");
  expect(refused.got).toBe("");
  // The kernel answers the SYN with a reset: the peer's connect fails at once instead of timing out.
  // The relay has to accept before it can reset, so there the peer only sees its bytes go unanswered.
  if (refusedBy === "kernel") expect(refused.stderr).toMatch(/Connection refused/);

  // The ban itself ended the live connection (the peer never does); how fast the peer process notices
  // is printed, not asserted: a loaded machine delays it.
  const closedAt = await Promise.race([
    live.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the banned peer's live connection stayed open")), 20_000),
    ),
  ]);
  console.log(`ban: live connection closed ${closedAt - bannedAt} ms after the ban was sent`);

  const lifted = await relay.ask<UnbanOutcome>({ op: "unban", cidr: `${peer}/32` });
  expect(lifted).toEqual({ removed: true, notApplied: [] });
  // In force when answered, here too: the first knock after it gets through.
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

    // A host banned inside a banned range: nft refuses overlapping intervals, so the set holds just the
    // range, and the host returns as an element of its own when the range is lifted. Each answer is in
    // force at once. The /28 of a peer (hosts .20 up) leaves out the STUN and keep-alive servers (.10, .11).
    const [a, b, c, d] = peer.split(".").map(Number) as [number, number, number, number];
    const range = `${a}.${b}.${c}.${d & ~15}/28`;
    const answered = [
      await relay.ask<BanOutcome>({ op: "ban", cidr: `${peer}/32` }),
      await relay.ask<BanOutcome>({ op: "ban", cidr: range }),
    ];
    expect(answered.map((outcome) => outcome.notApplied)).toEqual([[], []]);
    expect((await knock(lab, peer, at, "in-range")).stderr).toMatch(/Connection refused/);
    expect(await relay.ask<UnbanOutcome>({ op: "unban", cidr: range })).toEqual({
      removed: true,
      notApplied: [],
    });
    expect((await knock(lab, peer, at, "host-still")).stderr).toMatch(/Connection refused/);
    expect(await relay.ask<UnbanOutcome>({ op: "unban", cidr: `${peer}/32` })).toEqual({
      removed: true,
      notApplied: [],
    });
    expect((await knock(lab, peer, at, "free-again")).got).toContain("free-again");

    // A ban that covers the STUN and keep-alive server (a ban-list range can): the ban stops that server
    // from connecting in, but the answers to the tunnel's own connections from P are not peers and must
    // pass, or the tunnel would lose its keep-alive and drop into recovery for as long as the ban lasts.
    const server = lab.wanServerIps.primary;
    const seenBefore = relay.seen.length;
    expect((await relay.ask<BanOutcome>({ op: "ban", cidr: `${server}/32` })).notApplied).toEqual([]);
    // Long enough for several keep-alive rounds (1 s apart, 1.5 s to answer) and STUN re-checks (every
    // 2 s): a keep-alive answer the ban reset would turn the tunnel to RECOVERING within about 3 s.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const whileBanned = relay.seen.slice(seenBefore);
    expect(whileBanned.filter((s) => s.state !== "OPEN").map((s) => `${s.state}: ${s.reason}`)).toEqual([]);
    expect((await knock(lab, peer, at, "server-banned")).got).toContain("server-banned");
    expect(await relay.ask<UnbanOutcome>({ op: "unban", cidr: `${server}/32` })).toEqual({
      removed: true,
      notApplied: [],
    });

    await relay.stop();
    expect(await autostunTable(lab)).toBeUndefined();
    expect(await routeLocalnet(lab)).toBe("0");

    // A crash leaves the table (and a ban in it) behind; the next start replaces it whole.
    const crashed = (await openRelay(lab, "nftables", `127.0.0.1:${WHO_PORT}`)).relay;
    await crashed.ask({ op: "ban", cidr: "198.18.0.0/15" });
    // Answered, so in the kernel's set.
    const leftover = await autostunTable(lab);
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
