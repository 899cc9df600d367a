import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { getMappedAddress } from "../message/accessors.js";
import { encodeMessage } from "../message/encode.js";
import { startStunServer } from "../server/stun-server.js";
import { StunStreamFramer } from "./stream-framer.js";
import { TcpStunConnection, tcpStunRequest } from "./tcp-client.js";

const A = "127.0.0.1";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A raw TCP server whose reply bytes the test chooses. */
async function rawServer(onData: (socket: Socket, chunk: Buffer) => void): Promise<number> {
  const server: Server = createServer((s) => {
    s.on("error", () => undefined);
    s.on("data", (c) => onData(s, c));
  });
  await new Promise<void>((r) => server.listen(0, A, () => r()));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

describe("stream framer", () => {
  it("reassembles split messages and separates coalesced ones", () => {
    const m = (n: number) =>
      encodeMessage({
        method: 1,
        class: "success",
        transactionId: new Uint8Array(12).fill(n),
        attributes: [{ type: "SOFTWARE", value: "x".repeat(n) }],
      });
    const stream = Buffer.concat([m(1), m(2), m(3)]);
    const framer = new StunStreamFramer();
    const seen: number[] = [];
    for (let i = 0; i < stream.length; i += 7) {
      const out = framer.push(stream.subarray(i, i + 7));
      if (!out.ok) throw new Error(out.error);
      for (const d of out.messages) if (d.ok) seen.push(d.message.transactionId[0]!);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(framer.pending).toBe(0);
  });

  it("refuses a stream whose length field cannot be STUN, and stays refused", () => {
    const framer = new StunStreamFramer();
    const out = framer.push(Buffer.from([0x01, 0x01, 0xff, 0xfe, 0x21, 0x12, 0xa4, 0x42]));
    expect(out).toEqual({
      ok: false,
      error: expect.stringMatching(/length 65534 at stream byte 2 is not a multiple of 4/),
    });
    expect(
      framer.push(
        encodeMessage({ method: 1, class: "success", transactionId: new Uint8Array(12), attributes: [] }),
      ).ok,
    ).toBe(false);
    expect(new StunStreamFramer().push(Buffer.from("GET / HTTP/1.1\r\n"))).toMatchObject({ ok: false });
  });
});

describe("TCP STUN client", () => {
  it("reads a reply that arrives one byte at a time", async () => {
    const port = await rawServer((s, chunk) => {
      const framer = new StunStreamFramer();
      const out = framer.push(chunk);
      if (!out.ok || !out.messages[0]?.ok) return;
      const reply = encodeMessage(
        {
          ...out.messages[0].message,
          class: "success",
          attributes: [
            { type: "XOR-MAPPED-ADDRESS", value: { family: "IPv4", address: "198.51.100.1", port: 4242 } },
          ],
        },
        { fingerprint: true },
      );
      let i = 0;
      const drip = setInterval(() => {
        s.write(reply.subarray(i, i + 1));
        if (++i >= reply.length) clearInterval(drip);
      }, 1);
    });
    const reply = await tcpStunRequest({ address: A, port });
    expect(getMappedAddress(reply.message)).toMatchObject({ address: "198.51.100.1", port: 4242 });
    expect(reply.from).toMatchObject({ address: A, port });
  });

  it("rejects with PROTOCOL and closes the connection when the server sends a hostile length", async () => {
    const port = await rawServer((s) =>
      s.write(Buffer.from([0x01, 0x01, 0x00, 0x05, 0x21, 0x12, 0xa4, 0x42])),
    );
    const connection = await TcpStunConnection.connect({ address: A, port });
    await expect(connection.request({ timeoutMs: 2000 })).rejects.toMatchObject({
      code: "PROTOCOL",
      message: expect.stringMatching(/not a multiple of 4/),
    });
    expect(connection.socket.destroyed).toBe(true);
  });

  it("connects from a chosen local port, twice at once to different endpoints, and can keep the connection open", async () => {
    const server = await startStunServer({
      primary: A,
      alternate: "127.0.0.2",
      port: 0,
      altPort: 0,
      udp: false,
    });
    cleanups.push(() => server.close());
    const [e1, e2] = server.endpoints;
    const first = await tcpStunRequest(e1!, { localAddress: A, keepOpen: true });
    cleanups.push(() => first.connection?.close());
    const localPort = first.local.port;
    const second = await tcpStunRequest(e2!, { localAddress: A, localPort });
    expect(getMappedAddress(second.message)?.port).toBe(localPort);
    // The kept connection still answers: a relay can watch its mapping on it.
    const again = await first.connection!.request();
    expect(getMappedAddress(again.message)?.port).toBe(localPort);
  });

  it("reports a refused connection clearly", async () => {
    const port = await rawServer(() => undefined);
    for (const c of cleanups.splice(0)) await c(); // close it so the port refuses
    await expect(tcpStunRequest({ address: A, port })).rejects.toMatchObject({
      code: "NETWORK",
      message: expect.stringMatching(/cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/),
    });
  });
});
