import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { validateTarget } from "../target/validate-target.js";
import { dial, listen, listenWith } from "../testing/loopback.js";
import { Forwarder } from "./forwarder.js";
import { BULK_BUFFER_BYTES, bulkBytesLent } from "./read-buffers.js";

// The forwarder reuses its read buffers: these tests catch a buffer read into again before its bytes
// were written onward (corrupted or reordered streams) and buffers that stay lent after the traffic.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha256 = (chunks: Buffer[]) =>
  chunks.reduce((hash, chunk) => hash.update(chunk), createHash("sha256")).digest("hex");

/** Writes `data` in uneven pieces, honouring backpressure; ends the socket when `end`. */
async function send(socket: Socket, data: Buffer, end: boolean): Promise<void> {
  let offset = 0;
  let piece = 1;
  while (offset < data.length) {
    piece = (piece * 7919 + 4093) % (300 * 1024);
    const next = data.subarray(offset, offset + piece + 1);
    offset += next.length;
    if (!socket.write(next)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  if (end) socket.end();
}

/** Collects what arrives, stopping to read now and then so the far side's writes back up. */
function receive(
  socket: Socket,
  bytes: number,
  onChunk: () => void = () => {},
  stallEvery = 3 * 1024 * 1024,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let sinceStall = 0;
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      sinceStall += chunk.length;
      onChunk();
      if (got >= bytes) resolve(chunks);
      else if (sinceStall > stallEvery) {
        sinceStall = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      }
    });
  });
}

async function forwarderTo(onSocket: (socket: Socket) => void) {
  const target = await listen(onSocket);
  const forwarder = new Forwarder({ target: await validateTarget("t1", `127.0.0.1:${target.port}`) });
  const relay = await listenWith(forwarder);
  cleanups.push(
    () => target.close(),
    () => relay.close(),
    () => forwarder.close(),
  );
  return { forwarder, relay };
}

describe("splice with reused read buffers", () => {
  it("delivers every byte in order both ways while both receivers stall now and then", async () => {
    const size = 24 * 1024 * 1024;
    const up = randomBytes(size);
    const down = randomBytes(size);
    let mostLent = 0;
    const noteLent = () => {
      mostLent = Math.max(mostLent, bulkBytesLent());
    };
    let atTarget: Promise<Buffer[]> | undefined;
    const { relay } = await forwarderTo((socket) => {
      atTarget = receive(socket, size, noteLent);
      void send(socket, down, false);
    });
    const peer = await dial(relay.port);
    cleanups.push(() => peer.destroy());
    const atPeer = receive(peer, size, noteLent);
    void send(peer, up, false);
    await vi.waitFor(() => expect(atTarget).toBeDefined());
    const [received, returned] = await Promise.all([atTarget!, atPeer]);
    expect(sha256(received)).toBe(sha256([up]));
    expect(sha256(returned)).toBe(sha256([down]));
    // The bulk path (private buffers, no copy) carried the transfer, not only the shared doorbell.
    expect(mostLent).toBeGreaterThanOrEqual(2 * BULK_BUFFER_BYTES);
  });

  it("gives a connection's large buffers back when it goes quiet, and takes them again for the next burst", async () => {
    const { relay } = await forwarderTo((socket) => socket.pipe(socket));
    const peer = await dial(relay.port);
    cleanups.push(() => peer.destroy());
    const bulk = randomBytes(8 * 1024 * 1024);
    let lentDuringBulk = 0;
    const echoed = receive(peer, bulk.length, () => {
      lentDuringBulk = Math.max(lentDuringBulk, bulkBytesLent());
    });
    await send(peer, bulk, false);
    expect(sha256(await echoed)).toBe(sha256([bulk]));
    expect(lentDuringBulk).toBeGreaterThan(0);
    peer.removeAllListeners("data");
    // A small message afterwards is what a BitTorrent keep-alive looks like: the connection is idle.
    const reply = new Promise<string>((resolve) => peer.once("data", (chunk) => resolve(String(chunk))));
    peer.write("keep-alive");
    expect(await reply).toBe("keep-alive");
    await vi.waitFor(() => expect(bulkBytesLent()).toBe(0));
    expect(peer.destroyed).toBe(false);

    // The next burst first lands in the shared buffer (copied out), then borrows a pair again.
    const again = randomBytes(8 * 1024 * 1024);
    let lentAgain = 0;
    const echoedAgain = receive(peer, again.length, () => {
      lentAgain = Math.max(lentAgain, bulkBytesLent());
    });
    await send(peer, again, false);
    expect(sha256(await echoedAgain)).toBe(sha256([again]));
    expect(lentAgain).toBeGreaterThan(0);
  });

  it("keeps many connections' streams apart while they switch between bulk and quiet", async () => {
    // Pairs are lent, returned and lent again across connections while receivers stall; no
    // connection may ever carry another's bytes or lose its own order.
    const connections = 12;
    const streams = Array.from({ length: connections }, () => {
      const parts: Buffer[] = [];
      for (let round = 0; round < 4; round++) {
        parts.push(randomBytes(1024 * 1024));
        for (let i = 0; i < 24; i++) parts.push(randomBytes(2048));
      }
      return parts;
    });
    const arrived = new Map<number, Promise<Buffer[]>>();
    const { relay } = await forwarderTo((socket) => {
      socket.once("data", (first: Buffer) => {
        const id = first[0]!;
        const bytes = streams[id]!.reduce((n, part) => n + part.length, 0) - first.length + 1;
        const rest = receive(socket, bytes, () => {}, 64 * 1024);
        arrived.set(
          id,
          rest.then((chunks) => [first.subarray(1), ...chunks]),
        );
      });
    });
    await Promise.all(
      streams.map(async (parts, id) => {
        // Each from its own address: the per-IP limit (8) is not what this test is about.
        const peer = await dial(relay.port, `127.0.1.${id + 1}`);
        cleanups.push(() => peer.destroy());
        peer.write(Buffer.of(id));
        for (const part of parts) {
          if (!peer.write(part)) await new Promise((resolve) => peer.once("drain", resolve));
          // Small parts one event-loop turn apart, so the forwarder reads them one by one.
          if (part.length < 4096) await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    await vi.waitFor(() => expect(arrived.size).toBe(connections));
    for (const [id, received] of arrived) expect(sha256(await received)).toBe(sha256(streams[id]!));
  });

  it("gives the buffers back when a connection is cut mid-transfer", async () => {
    let targetSocket: Socket | undefined;
    const { forwarder, relay } = await forwarderTo((socket) => {
      targetSocket = socket;
      socket.resume();
    });
    // Buffers of the previous tests' connections come back when their sockets have closed.
    await vi.waitFor(() => expect(bulkBytesLent()).toBe(0), { timeout: 5_000 });
    const peer = await dial(relay.port);
    cleanups.push(() => peer.destroy());
    peer.on("error", () => {});
    void send(peer, randomBytes(16 * 1024 * 1024), false).catch(() => {});
    await vi.waitFor(() => expect(bulkBytesLent()).toBeGreaterThan(0));
    expect(targetSocket).toBeDefined();
    // A reset, not a FIN: after a FIN the peer's direction could stay open, and rightly so.
    targetSocket!.resetAndDestroy();
    await vi.waitFor(() => expect(forwarder.stats().active).toBe(0));
    await vi.waitFor(() => expect(bulkBytesLent()).toBe(0));
  });
});
