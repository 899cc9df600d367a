import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, test } from "vitest";
import { NatPmpGateway } from "./nat-pmp-gateway.js";
import { PcpGateway } from "./pcp-gateway.js";
import { exchangeUdp, NAT_PMP_PORT, RETRY_MS } from "./udp-exchange.js";

// Loopback addresses of their own, so these routers never meet nat-pmp-gateway.test.ts's on 127.0.0.1:5351.
const NAT_PMP_ROUTER = "127.0.0.61";
const PCP_ROUTER = "127.0.0.62";

/** A router on loopback that counts requests and answers the n-th one (1-based) with `answer(request)`. */
async function loopbackRouter(ip: string, answer?: (request: Buffer, n: number) => Buffer | undefined) {
  const socket = createSocket("udp4");
  const router = { socket, requests: 0 };
  socket.on("message", (request, from) => {
    router.requests++;
    const reply = answer?.(request, router.requests);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(NAT_PMP_PORT, ip, () => resolve());
  });
  return router;
}

/** NAT-PMP's answer to "external address" (opcode 128), result 0, with 198.51.100.4. */
const ADDRESS_ANSWER = Buffer.from([0, 128, 0, 0, 0, 0, 0, 1, 198, 51, 100, 4]);

describe("the NAT-PMP / PCP request exchange", () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  test("a silent router is asked once per step of the retry schedule, then 'no answer' names the protocol", async () => {
    const router = await loopbackRouter(NAT_PMP_ROUTER);
    sockets.push(router.socket);
    await expect(
      exchangeUdp({
        protocol: "NAT-PMP",
        gatewayIp: NAT_PMP_ROUTER,
        message: Buffer.from([0, 0]),
        judge: (reply) => reply,
      }),
    ).rejects.toThrow(`no NAT-PMP answer from ${NAT_PMP_ROUTER}:5351`);
    expect(router.requests).toBe(RETRY_MS.length);
  });

  test("an answer its reader cannot read ends the exchange with an error naming the router, not the process", async () => {
    const router = await loopbackRouter(NAT_PMP_ROUTER, () => Buffer.from([0]));
    sockets.push(router.socket);
    await expect(
      exchangeUdp({
        protocol: "NAT-PMP",
        gatewayIp: NAT_PMP_ROUTER,
        message: Buffer.from([0, 0]),
        judge: (reply) => {
          reply.readUInt32BE(4);
          return reply;
        },
      }),
    ).rejects.toThrow(`the NAT-PMP answer from ${NAT_PMP_ROUTER} could not be read`);
    expect(router.requests).toBe(1);
  });

  test("a router that answers only a later try still gives the answer", async () => {
    const router = await loopbackRouter(NAT_PMP_ROUTER, (_r, n) => (n === 3 ? ADDRESS_ANSWER : undefined));
    sockets.push(router.socket);
    const gateway = await NatPmpGateway.open(NAT_PMP_ROUTER);
    expect(await gateway.externalIp()).toBe("198.51.100.4");
    expect(router.requests).toBe(3);
  });

  test("a request this host cannot send is said to be unsent at once, not waited out as silence", async () => {
    // Broadcast without SO_BROADCAST: the kernel refuses the send (EACCES) and nothing leaves this host.
    const outcome = exchangeUdp({
      protocol: "PCP",
      gatewayIp: "255.255.255.255",
      message: Buffer.alloc(24),
      judge: (reply) => reply,
      retryMs: [60_000],
    });
    await expect(outcome).rejects.toThrow(
      /^the PCP request to 255\.255\.255\.255:5351 could not be sent: send EACCES/,
    );
  });

  test("a late answer to another request is passed over; an error from the judge ends the exchange", async () => {
    const router = await loopbackRouter(NAT_PMP_ROUTER, (_r, n) =>
      n === 1 ? Buffer.from([0, 129, 0, 0, 0, 0, 0, 1]) : Buffer.from([0, 128, 0, 2, 0, 0, 0, 1]),
    );
    sockets.push(router.socket);
    const gateway = await NatPmpGateway.open(NAT_PMP_ROUTER);
    // First answer: opcode 129, not this request's; the second (result 2) is the router's refusal.
    await expect(gateway.externalIp()).rejects.toMatchObject({
      code: 2,
      message: expect.stringMatching(/refused over NAT-PMP: result 2/),
    });
    expect(router.requests).toBe(2);
  });

  test("PCP goes through the same exchange: silence is 'no PCP answer' after the schedule, a NAT-PMP router says so", async () => {
    const silent = await loopbackRouter(PCP_ROUTER);
    sockets.push(silent.socket);
    await expect(PcpGateway.open(PCP_ROUTER)).rejects.toThrow(`no PCP answer from ${PCP_ROUTER}:5351`);
    expect(silent.requests).toBe(RETRY_MS.length);
    silent.socket.close();
    sockets.pop();

    const natPmpOnly = await loopbackRouter(PCP_ROUTER, () => Buffer.from([0, 128, 0, 1]));
    sockets.push(natPmpOnly.socket);
    await expect(PcpGateway.open(PCP_ROUTER)).rejects.toMatchObject({
      code: 1,
      message: `the router ${PCP_ROUTER} speaks NAT-PMP, not PCP`,
    });
  });

  test("a cancelled request ends with that, and its socket is closed", async () => {
    const router = await loopbackRouter(NAT_PMP_ROUTER);
    sockets.push(router.socket);
    const stop = new AbortController();
    const outcome = exchangeUdp({
      protocol: "NAT-PMP",
      gatewayIp: NAT_PMP_ROUTER,
      message: Buffer.from([0, 0]),
      judge: (reply) => reply,
      signal: stop.signal,
    });
    stop.abort();
    await expect(outcome).rejects.toThrow(`NAT-PMP request to ${NAT_PMP_ROUTER} was cancelled`);
  });
});
