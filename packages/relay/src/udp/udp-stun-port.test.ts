import { createSocket, type Socket } from "node:dgram";
import { decodeMessage, encodeMessage, type StunMessage, StunMethod } from "@autostun/stun";
import { afterEach, expect, test } from "vitest";
import { UdpStunPort } from "./udp-stun-port.js";

const open: (UdpStunPort | Socket)[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) {
    if (item instanceof UdpStunPort) await item.close();
    else item.close();
  }
});

/** A STUN server on loopback that answers every Binding twice: at once and again `lateMs` later. */
async function answeringTwice(lateMs: number): Promise<Socket> {
  const server = createSocket("udp4");
  open.push(server);
  server.on("message", (data, from) => {
    const decoded = decodeMessage(data);
    if (!decoded.ok) return;
    const message: StunMessage = {
      method: StunMethod.Binding,
      class: "success",
      transactionId: decoded.message.transactionId,
      attributes: [
        { type: "XOR-MAPPED-ADDRESS", value: { family: "IPv4", address: from.address, port: from.port } },
      ],
    };
    const answer = encodeMessage(message);
    server.send(answer, from.port, from.address);
    setTimeout(() => server.send(answer, from.port, from.address), lateMs);
  });
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  return server;
}

test("a STUN server's late or repeated answer never reaches the peers' listener, while its other datagrams and peers' do", async () => {
  const server = await answeringTwice(50);
  const port = await UdpStunPort.open(0, "127.0.0.1");
  open.push(port);
  const heard: string[] = [];
  port.onDatagram((data, from) => heard.push(`${from.address}:${from.port} ${data.toString()}`));
  const endpoint = { address: "127.0.0.1", port: server.address().port };
  const mapped = await port.ask(endpoint, { rtoMs: 500, maxSends: 2, timeoutMs: 2_000 });
  expect(mapped).toEqual({ ip: "127.0.0.1", port: port.localPort });
  // The second answer comes while nothing waits for it: it must be dropped, not handed on as a peer.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(heard).toEqual([]);

  const peer = createSocket("udp4");
  open.push(peer);
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  peer.send("utp hello", port.localPort, "127.0.0.1");
  server.send("not stun", port.localPort, "127.0.0.1");
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(heard.sort()).toEqual(
    [`127.0.0.1:${peer.address().port} utp hello`, `127.0.0.1:${endpoint.port} not stun`].sort(),
  );
});
