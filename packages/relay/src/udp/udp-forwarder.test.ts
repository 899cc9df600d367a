import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { once } from "node:events";
import { parseIp } from "@autostun/ip";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { ConnectionTable } from "../connections/connection-table.js";
import { deriveProxyIp } from "../proxy-address/derive.js";
import { validateTarget } from "../target/validate-target.js";
import { UdpForwarder } from "./udp-forwarder.js";
import type { UdpForwarderOptions } from "./udp-forwarder-options.js";
import { UdpStunPort } from "./udp-stun-port.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bound(address = "127.0.0.1"): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.bind(0, address);
  await once(socket, "listening");
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

interface Target {
  port: number;
  /** Source address of every datagram the target got, `ip:port`. */
  seen: string[];
}

/** A UDP server on 127.0.0.1 that echoes every datagram back to its sender (or stays silent). */
async function target(echo = true): Promise<Target> {
  const socket = await bound();
  const seen: string[] = [];
  socket.on("message", (data, from) => {
    seen.push(`${from.address}:${from.port}`);
    if (echo) socket.send(data, from.port, from.address);
  });
  return { port: socket.address().port, seen };
}

async function forwarderTo(port: number, options: Partial<UdpForwarderOptions> = {}) {
  const mapping = await UdpStunPort.open(0, "127.0.0.1");
  const forwarder = new UdpForwarder({
    port: mapping,
    target: await validateTarget("t1", `127.0.0.1:${port}`),
    ...options,
  });
  cleanups.push(
    () => mapping.close(),
    () => forwarder.close(),
  );
  return { forwarder, mapping };
}

/** Sends `text` from `peer` to the mapping; resolves to the first answer, or undefined after `waitMs`. */
async function ask(
  peer: Socket,
  mapping: UdpStunPort,
  text: string,
  waitMs = 2_000,
): Promise<{ text: string; from: RemoteInfo } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      peer.off("message", onMessage);
      resolve(undefined);
    }, waitMs);
    const onMessage = (data: Buffer, from: RemoteInfo) => {
      clearTimeout(timer);
      peer.off("message", onMessage);
      resolve({ text: String(data), from });
    };
    peer.on("message", onMessage);
    peer.send(text, mapping.localPort, "127.0.0.1");
  });
}

describe("UdpForwarder", () => {
  it("carries datagrams both ways, replies leaving from the mapping socket, and counts them", async () => {
    const echo = await target();
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const { forwarder, mapping } = await forwarderTo(echo.port, { table });
    const peer = await bound("127.9.0.1");
    const answer = await ask(peer, mapping, "hello");
    expect(answer?.text).toBe("hello");
    expect(answer?.from).toMatchObject({ address: "127.0.0.1", port: mapping.localPort });
    expect((await ask(peer, mapping, "again"))?.text).toBe("again");
    expect(forwarder.stats()).toMatchObject({
      active: 1,
      sessions: 1,
      datagramsIn: 2,
      datagramsOut: 2,
      bytesIn: 10,
      bytesOut: 10,
    });
    const [row] = table.list();
    expect(row).toMatchObject({
      protocol: "UDP",
      tunnelId: "t1",
      remoteAddress: `127.9.0.1:${peer.address().port}`,
      bytesIn: 10,
      bytesOut: 10,
      closedAt: null,
    });
    forwarder.close();
    expect(table.get(row!.id)?.closedAt).toBeInstanceOf(Date);
    expect(await ask(peer, mapping, "after stop", 300)).toBeUndefined();
  });

  it("shows a loopback target the peer's own 127.x.y.z address, which resolvePeer maps back", async () => {
    const echo = await target();
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const { forwarder, mapping } = await forwarderTo(echo.port, { table });
    const peer = await bound("127.9.0.1");
    expect((await ask(peer, mapping, "x"))?.text).toBe("x");
    const shown = deriveProxyIp(parseIp("127.9.0.1")!, 0);
    expect(echo.seen[0]).toMatch(new RegExp(`^${shown.replaceAll(".", "\\.")}:\\d+$`));
    expect(forwarder.showsRealAddresses).toBe(true);
    expect(table.resolvePeer(echo.seen[0]!)).toMatchObject({
      protocol: "UDP",
      remoteAddress: `127.9.0.1:${peer.address().port}`,
    });
  });

  it("shows every peer as 127.0.0.1 when real addresses are off", async () => {
    const echo = await target();
    const { mapping } = await forwarderTo(echo.port, { realAddresses: false });
    expect((await ask(await bound("127.9.0.1"), mapping, "x"))?.text).toBe("x");
    expect(echo.seen[0]).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("keeps one session per peer endpoint, each with its own source port at the target", async () => {
    const echo = await target();
    const { forwarder, mapping } = await forwarderTo(echo.port);
    const a = await bound("127.9.0.1");
    const b = await bound("127.9.0.1");
    expect((await ask(a, mapping, "a1"))?.text).toBe("a1");
    expect((await ask(b, mapping, "b1"))?.text).toBe("b1");
    expect((await ask(a, mapping, "a2"))?.text).toBe("a2");
    expect(forwarder.stats()).toMatchObject({ active: 2, sessions: 2 });
    expect(new Set(echo.seen).size).toBe(2);
    expect(echo.seen[2]).toBe(echo.seen[0]);
  });

  it("closes a session after the idle timeout; the peer's next datagram opens a new one", async () => {
    const echo = await target();
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const { forwarder, mapping } = await forwarderTo(echo.port, { idleTimeoutMs: 200, table });
    const peer = await bound("127.9.0.1");
    expect((await ask(peer, mapping, "x"))?.text).toBe("x");
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0), { timeout: 2_000 });
    expect(forwarder.stats().idleTimeouts).toBe(1);
    expect(table.list()[0]?.closedAt).toBeInstanceOf(Date);
    expect((await ask(peer, mapping, "y"))?.text).toBe("y");
    expect(forwarder.stats()).toMatchObject({ active: 1, sessions: 2 });
  });

  it("lets a session the target never answered go after the shorter unreplied timeout", async () => {
    const silent = await target(false);
    const { forwarder, mapping } = await forwarderTo(silent.port, {
      idleTimeoutMs: 60_000,
      unrepliedTimeoutMs: 200,
    });
    expect(await ask(await bound("127.9.0.1"), mapping, "anyone?", 100)).toBeUndefined();
    expect(forwarder.stats().active).toBe(1);
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0), { timeout: 2_000 });
    expect(forwarder.stats().idleTimeouts).toBe(1);
  });

  it("drops and counts a new peer endpoint beyond the per-IP limit", async () => {
    const echo = await target();
    const { forwarder, mapping } = await forwarderTo(echo.port, { maxPerIp: 2 });
    const sockets = [await bound("127.9.0.1"), await bound("127.9.0.1"), await bound("127.9.0.1")];
    expect((await ask(sockets[0]!, mapping, "1"))?.text).toBe("1");
    expect((await ask(sockets[1]!, mapping, "2"))?.text).toBe("2");
    expect(await ask(sockets[2]!, mapping, "3", 300)).toBeUndefined();
    // Another address is not held back by this one's limit.
    expect((await ask(await bound("127.9.0.2"), mapping, "4"))?.text).toBe("4");
    expect(forwarder.stats()).toMatchObject({ active: 3, droppedByLimit: 1 });
    expect(echo.seen).toHaveLength(3);
  });

  it("drops and counts new peers beyond the total session limit, and admits them once a slot frees", async () => {
    const echo = await target();
    const { forwarder, mapping } = await forwarderTo(echo.port, { maxSessions: 2, idleTimeoutMs: 300 });
    expect((await ask(await bound("127.9.0.1"), mapping, "1"))?.text).toBe("1");
    expect((await ask(await bound("127.9.0.2"), mapping, "2"))?.text).toBe("2");
    const third = await bound("127.9.0.3");
    expect(await ask(third, mapping, "3", 100)).toBeUndefined();
    expect(await ask(third, mapping, "3", 100)).toBeUndefined();
    expect(forwarder.stats()).toMatchObject({ active: 2, droppedByLimit: 2 });
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0), { timeout: 3_000 });
    expect((await ask(third, mapping, "3"))?.text).toBe("3");
  });

  // Loopback never makes a UDP send wait (the kernel delivers or drops at once), so the stalled
  // kernel buffer is played by the mapping socket's queue count; the sockets and datagrams are real.
  it("drops and counts replies while the mapping socket's send queue is full, never queueing more", async () => {
    const echo = await target();
    const { forwarder, mapping } = await forwarderTo(echo.port, { maxQueuedDatagrams: 8 });
    const peer = await bound("127.9.0.1");
    expect((await ask(peer, mapping, "before"))?.text).toBe("before");
    let queued = 8;
    Object.defineProperty(mapping, "sendQueueCount", { get: () => queued });
    expect(await ask(peer, mapping, "stalled", 300)).toBeUndefined();
    expect(echo.seen).toHaveLength(2);
    expect(forwarder.stats()).toMatchObject({ droppedByBackpressure: 1, datagramsOut: 1 });
    queued = 7;
    expect((await ask(peer, mapping, "room again"))?.text).toBe("room again");
    expect(forwarder.stats()).toMatchObject({ droppedByBackpressure: 1, datagramsOut: 2 });
  });

  it("refuses a banned peer's first datagram, cuts a live session within 1 s of a ban, and unban restores", async () => {
    const echo = await target();
    const bans = new BanList();
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const { forwarder, mapping } = await forwarderTo(echo.port, { bans, table });
    await bans.ban({ cidr: "127.9.0.3/32" });
    expect(await ask(await bound("127.9.0.3"), mapping, "banned", 300)).toBeUndefined();
    expect(forwarder.stats()).toMatchObject({ droppedByBan: 1, sessions: 0 });
    expect(echo.seen).toHaveLength(0);

    const peer = await bound("127.9.0.1");
    const other = await bound("127.9.0.2");
    expect((await ask(peer, mapping, "before"))?.text).toBe("before");
    expect((await ask(other, mapping, "other"))?.text).toBe("other");
    const bannedAt = Date.now();
    await bans.ban({ cidr: "127.9.0.0/31" });
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(1), { timeout: 1_000, interval: 10 });
    expect(Date.now() - bannedAt).toBeLessThan(1_000);
    expect(forwarder.stats().closedByBan).toBe(1);
    expect(table.list({ liveOnly: true })[0]?.remoteAddress).toMatch(/^127\.9\.0\.2:/);
    expect(await ask(peer, mapping, "during", 300)).toBeUndefined();
    expect(forwarder.stats().droppedByBan).toBe(2);
    expect((await ask(other, mapping, "still"))?.text).toBe("still");

    await bans.unban("127.9.0.0/31");
    expect((await ask(peer, mapping, "after"))?.text).toBe("after");
  });

  it.each([
    ["idleTimeoutMs", 0],
    ["unrepliedTimeoutMs", 1.5],
    ["maxSessions", -1],
    ["maxPerIp", 0],
    ["maxQueuedDatagrams", 0],
  ] as const)("refuses %s = %s with an error naming it", async (name, value) => {
    const mapping = await UdpStunPort.open(0, "127.0.0.1");
    cleanups.push(() => mapping.close());
    const options = { port: mapping, target: await validateTarget("t1", "127.0.0.1:5000"), [name]: value };
    expect(() => new UdpForwarder(options)).toThrow(
      new RegExp(`tunnel "t1": ${name} must be a whole number from \\d+ to \\d+, got ${value}`),
    );
  });
});
