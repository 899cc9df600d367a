import type { Socket } from "node:net";
import { parseIp } from "@autostun/ip";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { ConnectionTable } from "../connections/connection-table.js";
import { deriveProxyIp } from "../proxy-address/derive.js";
import { validateTarget } from "../target/validate-target.js";
import {
  captureLogger,
  deadPort,
  dial,
  hungUp,
  listen,
  listenWith,
  readToEnd,
  type TestServer,
} from "../testing/loopback.js";
import { Forwarder } from "./forwarder.js";
import type { ForwarderOptions } from "./forwarder-options.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoTarget(): Promise<TestServer> {
  const target = await listen((socket) => socket.pipe(socket));
  cleanups.push(() => target.close());
  return target;
}

async function relayTo(port: number, options: Partial<ForwarderOptions> = {}) {
  const forwarder = new Forwarder({ target: await validateTarget("t1", `127.0.0.1:${port}`), ...options });
  const relay = await listenWith(forwarder);
  cleanups.push(
    () => relay.close(),
    () => forwarder.close(),
  );
  return { forwarder, relay };
}

async function exchange(socket: Socket, text: string): Promise<string> {
  const reply = new Promise<string>((resolve) => socket.once("data", (chunk) => resolve(String(chunk))));
  socket.write(text);
  return reply;
}

describe("Forwarder", () => {
  it("carries bytes both ways and counts them", async () => {
    const target = await echoTarget();
    const { forwarder, relay } = await relayTo(target.port);
    const peer = await dial(relay.port);
    expect(await exchange(peer, "hello")).toBe("hello");
    peer.end();
    await hungUp(peer);
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0));
    expect(forwarder.stats()).toMatchObject({ handled: 1, blocked: 0, bytesIn: 5, bytesOut: 5 });
  });

  it("keeps the reply direction open after the peer's FIN", async () => {
    const target = await listen((socket) => {
      let length = 0;
      socket.on("data", (chunk: Buffer) => {
        length += chunk.length;
      });
      socket.on("end", () => socket.end(`target read ${length} bytes`));
    });
    cleanups.push(() => target.close());
    const { relay } = await relayTo(target.port);
    const peer = await dial(relay.port);
    const reply = readToEnd(peer);
    peer.end("0123456789");
    expect(await reply).toBe("target read 10 bytes");
  });

  // Each direction: the far side stops reading; the forwarder must stop reading the near side rather
  // than buffer the rest of the stream in memory.
  it.each([
    ["peer → target, target not reading", "in"],
    ["target → peer, peer not reading", "out"],
  ] as const)("holds back when the receiver stalls: %s", async (_name, direction) => {
    const total = 48 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let received = 0;
    let targetSocket: Socket | undefined;
    const target = await listen((socket) => {
      targetSocket = socket;
      if (direction === "in") socket.pause();
      socket.on("data", (data: Buffer) => {
        received += data.length;
      });
    });
    cleanups.push(() => target.close());
    const { forwarder, relay } = await relayTo(target.port);
    const peer = await dial(relay.port);
    cleanups.push(() => peer.destroy());
    await vi.waitFor(() => expect(targetSocket).toBeDefined());
    const writer = direction === "in" ? peer : targetSocket!;
    const reader = direction === "in" ? targetSocket! : peer;
    if (direction === "out") {
      peer.pause();
      peer.on("data", (data: Buffer) => {
        received += data.length;
      });
    }
    let written = 0;
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!writer.write(chunk)) return;
      }
    };
    writer.on("drain", pump);
    pump();
    const moved = () => (direction === "in" ? forwarder.stats().bytesIn : forwarder.stats().bytesOut);
    let last = -1;
    await vi.waitFor(
      () => {
        const now = moved();
        const still = now === last;
        last = now;
        expect(still).toBe(true);
      },
      { timeout: 20_000, interval: 300 },
    );
    // Stalled with most of the stream still unsent: the kernel buffers plus one high-water mark per
    // side are in flight, not the whole stream.
    expect(moved()).toBeLessThan(total / 2);
    expect(written).toBeLessThan(total);
    reader.resume();
    await vi.waitFor(() => expect(received).toBe(total), { timeout: 20_000 });
  });

  it("closes a connection that stays idle", async () => {
    const target = await echoTarget();
    const { forwarder, relay } = await relayTo(target.port, { idleTimeoutMs: 300 });
    const peer = await dial(relay.port);
    expect(await exchange(peer, "x")).toBe("x");
    await hungUp(peer);
    expect(forwarder.stats().idleTimeouts).toBe(1);
  });

  it("closes a peer that sends nothing within the first-byte timeout, and keeps one that spoke", async () => {
    const target = await echoTarget();
    const { forwarder, relay } = await relayTo(target.port, { firstByteTimeoutMs: 300 });
    const silent = await dial(relay.port);
    const speaker = await dial(relay.port);
    expect(await exchange(speaker, "handshake")).toBe("handshake");
    await hungUp(silent);
    expect(forwarder.stats().firstByteTimeouts).toBe(1);
    expect(speaker.destroyed).toBe(false);
    expect(await exchange(speaker, "still here")).toBe("still here");
    speaker.destroy();
  });

  it("refuses peers over the per-IP and total limits at once, and counts them", async () => {
    const target = await echoTarget();
    const { forwarder, relay } = await relayTo(target.port, { maxPerIp: 2, maxConnections: 3 });
    const a1 = await dial(relay.port, "127.0.0.2");
    const a2 = await dial(relay.port, "127.0.0.2");
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(2));
    const a3 = await dial(relay.port, "127.0.0.2");
    await hungUp(a3);
    const b1 = await dial(relay.port, "127.0.0.3");
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(3));
    const c1 = await dial(relay.port, "127.0.0.4");
    await hungUp(c1);
    expect(forwarder.stats()).toMatchObject({ blocked: 2, blockedByLimit: 2, handled: 3, active: 3 });
    for (const peer of [a1, a2, b1]) expect(await exchange(peer, "still here")).toBe("still here");
    for (const peer of [a1, a2, b1]) peer.destroy();
  });

  it("closes the peer and logs the target when the target is down", async () => {
    const logger = captureLogger();
    const port = await deadPort();
    const { forwarder, relay } = await relayTo(port, { logger });
    const peer = await dial(relay.port);
    await hungUp(peer);
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0));
    expect(forwarder.stats()).toMatchObject({ handled: 1, targetFailures: 1 });
    const error = logger.lines.find((line) => line.level === "error");
    expect(error?.message).toContain(`127.0.0.1:${port}`);
    expect(error?.message).toContain('tunnel "t1"');
  });

  it("shows each peer to a loopback target from its own 127.x address, and resolvePeer maps it back", async () => {
    const target = await echoTarget();
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const geo = {
      lookup: (ip: string) => (ip === "127.9.8.7" ? { country: "ZZ", city: "Test", asn: 64500 } : null),
    };
    const { relay } = await relayTo(target.port, { table, geo });
    const first = await dial(relay.port, "127.9.8.7");
    const second = await dial(relay.port, "127.20.30.40");
    expect(await exchange(first, "a")).toBe("a");
    expect(await exchange(second, "b")).toBe("b");
    const [seenFirst, seenSecond] = target.accepted;
    expect(seenFirst?.remoteAddress).toBe(deriveProxyIp(parseIp("127.9.8.7")!, 0));
    expect(seenFirst?.remoteAddress).not.toBe("127.0.0.1");
    expect(seenSecond?.remoteAddress).not.toBe(seenFirst?.remoteAddress);
    const resolved = table.resolvePeer(`${seenFirst?.remoteAddress}:${seenFirst?.remotePort}`);
    expect(resolved).toMatchObject({
      tunnelId: "t1",
      remoteAddress: `127.9.8.7:${first.localPort}`,
      closedAt: null,
    });
    first.destroy();
    second.destroy();
    await vi.waitFor(() => expect(table.liveCount).toBe(0));
    // Recent connections still answer, now with their final byte counts.
    expect(table.resolvePeer(`${seenFirst?.remoteAddress}:${seenFirst?.remotePort}`)).toMatchObject({
      bytesIn: 1,
      bytesOut: 1,
      closedAt: expect.any(Date),
    });
  });
});

describe("Forwarder with bans", () => {
  it("closes a banned peer at accept, counts it, and lets it in again after unban", async () => {
    const target = await echoTarget();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const { forwarder, relay } = await relayTo(target.port, { bans });
    await bans.ban({ cidr: "127.0.0.6/31", reason: "test" });
    const banned = await dial(relay.port, "127.0.0.7");
    await hungUp(banned);
    expect(forwarder.stats()).toMatchObject({ blocked: 1, blockedByBan: 1, handled: 0 });
    expect(target.accepted).toHaveLength(0);
    expect((await bans.unban("127.0.0.6/31")).removed).toBe(true);
    const again = await dial(relay.port, "127.0.0.7");
    expect(await exchange(again, "back")).toBe("back");
    again.destroy();
  });

  it("cuts a live connection when its range is banned", async () => {
    const target = await echoTarget();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const { forwarder, relay } = await relayTo(target.port, { bans });
    const peer = await dial(relay.port, "127.0.1.9");
    const bystander = await dial(relay.port, "127.0.2.9");
    expect(await exchange(peer, "hi")).toBe("hi");
    expect(await exchange(bystander, "hi")).toBe("hi");
    await bans.ban({ cidr: "127.0.1.0/24" });
    // Closed by the time the ban call answered, not some time after it.
    expect(forwarder.stats().closedByBan).toBe(1);
    await hungUp(peer);
    expect(await exchange(bystander, "unaffected")).toBe("unaffected");
    bystander.destroy();
  }, 10_000);

  it("lets a peer in again once its ban's TTL has passed", async () => {
    const target = await echoTarget();
    const bans = new BanList();
    cleanups.push(() => bans.dispose());
    const { relay } = await relayTo(target.port, { bans });
    await bans.ban({ cidr: "127.0.3.3", ttlSeconds: 0.2 });
    await hungUp(await dial(relay.port, "127.0.3.3"));
    await vi.waitFor(() => expect(bans.list()).toHaveLength(0));
    const peer = await dial(relay.port, "127.0.3.3");
    expect(await exchange(peer, "ok")).toBe("ok");
    peer.destroy();
  });
});
