import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { decodeMessage } from "../message/decode.js";
import { encodeMessage } from "../message/encode.js";
import { retransmitSchedule } from "./retransmit.js";
import { StunTransactionError } from "./types.js";
import { UdpStunClient } from "./udp-client.js";

const A = "127.0.0.1";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A UDP responder that drops the first `drop` copies of each transaction, then answers. */
async function flakyResponder(drop: number): Promise<{ port: number; received: string[] }> {
  const socket: Socket = createSocket("udp4");
  const received: string[] = [];
  socket.on("message", (data, rinfo) => {
    const d = decodeMessage(data);
    if (!d.ok) return;
    const id = Buffer.from(d.message.transactionId).toString("hex");
    received.push(id);
    if (received.filter((r) => r === id).length <= drop) return;
    const reply = encodeMessage({
      ...d.message,
      class: "success",
      attributes: [
        { type: "XOR-MAPPED-ADDRESS", value: { family: "IPv4", address: rinfo.address, port: rinfo.port } },
      ],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, A, () => r()));
  cleanups.push(() => socket.close());
  return { port: socket.address().port, received };
}

describe("retransmission schedule", () => {
  it("doubles the interval between sends as RFC 8489 describes, then waits rto·Rm", () => {
    expect(retransmitSchedule({ rto: 500, maxSends: 7, lastWaitFactor: 16 })).toEqual({
      sends: [0, 500, 1500, 3500, 7500, 15500, 31500],
      giveUpAt: 39500,
    });
    expect(retransmitSchedule({ rto: 100, maxSends: 3, timeoutMs: 250 })).toEqual({
      sends: [0, 100],
      giveUpAt: 250,
    });
  });
});

describe("UDP STUN client", () => {
  it("retransmits until an answer arrives, reusing the transaction id", async () => {
    const responder = await flakyResponder(2);
    const client = await UdpStunClient.open({ localAddress: A });
    cleanups.push(() => client.close());
    const reply = await client.request({ address: A, port: responder.port }, { rto: 20, maxSends: 5 });
    expect(reply.from).toMatchObject({ address: A, port: responder.port });
    expect(responder.received).toHaveLength(3);
    expect(new Set(responder.received).size).toBe(1);
  });

  it("counts every send, and measures the round trip from the latest send (Karn), not across lost ones", async () => {
    const responder = await flakyResponder(2);
    const client = await UdpStunClient.open({ localAddress: A });
    cleanups.push(() => client.close());
    let sends = 0;
    const reply = await client.request(
      { address: A, port: responder.port },
      { rto: 100, maxSends: 5, onSend: () => sends++ },
    );
    expect(sends).toBe(3);
    // Only the third send (300 ms after the first, by the schedule) was answered. Node may fire a timer
    // a fraction of a millisecond early, so the gap is asserted with room; a sample taken across the lost
    // sends would equal rttMs.
    expect(reply.rttMs).toBeGreaterThanOrEqual(295);
    expect(reply.sampleRttMs).toBeLessThanOrEqual(reply.rttMs - 250);
  });

  it("gives up with TIMEOUT after the configured number of sends", async () => {
    const responder = await flakyResponder(Number.POSITIVE_INFINITY);
    const client = await UdpStunClient.open({ localAddress: A });
    cleanups.push(() => client.close());
    const error = await client
      .request({ address: A, port: responder.port }, { rto: 10, maxSends: 3, lastWaitFactor: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StunTransactionError);
    expect((error as StunTransactionError).code).toBe("TIMEOUT");
    expect((error as StunTransactionError).message).toMatch(
      /no STUN reply from 127\.0\.0\.1:\d+ after 3 sends/,
    );
    expect(responder.received).toHaveLength(3);
  });

  it("stops on AbortSignal and on close, rejecting rather than throwing", async () => {
    const responder = await flakyResponder(Number.POSITIVE_INFINITY);
    const client = await UdpStunClient.open({ localAddress: A });
    const controller = new AbortController();
    const aborted = client.request(
      { address: A, port: responder.port },
      { rto: 1000, signal: controller.signal },
    );
    const closed = client.request({ address: A, port: responder.port }, { rto: 1000 });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "ABORTED" });
    await client.close();
    await expect(closed).rejects.toMatchObject({ code: "CLOSED" });
    await expect(client.request({ address: A, port: responder.port })).rejects.toMatchObject({
      code: "CLOSED",
    });
  });

  it("binds the chosen local port, shares it with reuseAddr, and reports a clear error when it cannot", async () => {
    const first = await UdpStunClient.open({ localAddress: A, reuseAddr: true });
    cleanups.push(() => first.close());
    const second = await UdpStunClient.open({
      localAddress: A,
      localPort: first.local.port,
      reuseAddr: true,
    });
    cleanups.push(() => second.close());
    expect(second.local.port).toBe(first.local.port);
    const exclusive = await UdpStunClient.open({ localAddress: A });
    cleanups.push(() => exclusive.close());
    await expect(UdpStunClient.open({ localAddress: A, localPort: exclusive.local.port })).rejects.toThrow(
      /cannot bind UDP 127\.0\.0\.1:\d+: .*EADDRINUSE/,
    );
  });

  it("ignores datagrams that are not replies to its transactions and reports them", async () => {
    const discards: string[] = [];
    const client = await UdpStunClient.open({
      localAddress: A,
      onDiscard: (reason) => discards.push(reason),
    });
    cleanups.push(() => client.close());
    const sender = createSocket("udp4");
    cleanups.push(() => sender.close());
    await new Promise<void>((r) => sender.send(Buffer.from("junk"), client.local.port, A, () => r()));
    const stray = encodeMessage({
      method: 1,
      class: "success",
      transactionId: new Uint8Array(12),
      attributes: [],
    });
    await new Promise<void>((r) => sender.send(stray, client.local.port, A, () => r()));
    await new Promise((r) => setTimeout(r, 50));
    expect(discards).toEqual([
      expect.stringMatching(/undecodable datagram/),
      "reply for an unknown or finished transaction",
    ]);
  });
});
