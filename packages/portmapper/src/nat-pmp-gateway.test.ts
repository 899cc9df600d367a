import { createSocket } from "node:dgram";
import { afterEach, describe, expect, test } from "vitest";
import { NAT_PMP_PORT, NatPmpGateway } from "./nat-pmp-gateway.js";

/** A router on loopback that answers every NAT-PMP request with the bytes the test gives. */
async function routerAnswering(answer: Buffer) {
  const socket = createSocket("udp4");
  socket.on("message", (_request, from) => socket.send(answer, from.port, from.address));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(NAT_PMP_PORT, "127.0.0.1", () => resolve());
  });
  return socket;
}

describe("NatPmpGateway", () => {
  let router: ReturnType<typeof createSocket> | undefined;
  afterEach(() => router?.close());

  test("a success answer too short to hold an address is an error, not a partial address", async () => {
    // Version 0, opcode 128, result 0, then only the 4-byte epoch: the address is missing.
    router = await routerAnswering(Buffer.from([0, 128, 0, 0, 0, 0, 0, 1]));
    const gateway = await NatPmpGateway.open("127.0.0.1");
    await expect(gateway.externalIp()).rejects.toThrow(/without its address/);
  });

  test("a mapping answered with lifetime 0 is no mapping, not one without an end", async () => {
    const answer = Buffer.alloc(16);
    answer[1] = 130;
    answer.writeUInt16BE(6881, 8);
    answer.writeUInt16BE(6881, 10);
    router = await routerAnswering(answer);
    const gateway = await NatPmpGateway.open("127.0.0.1");
    await expect(gateway.mapTcp(6881, 3600, "t")).rejects.toThrow(/without granting one \(lifetime 0/);
    answer.writeUInt32BE(7200, 12);
    expect(await gateway.mapTcp(6881, 3600, "t")).toEqual({ externalPort: 6881, leaseSeconds: 7200 });
  });

  test("a whole answer gives the router's WAN address", async () => {
    router = await routerAnswering(Buffer.from([0, 128, 0, 0, 0, 0, 0, 1, 203, 0, 113, 7]));
    const gateway = await NatPmpGateway.open("127.0.0.1");
    expect(await gateway.externalIp()).toBe("203.0.113.7");
  });
});
