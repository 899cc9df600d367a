import { createSocket, type Socket } from "node:dgram";
import { startStunServer } from "@autostun/stun";
import { afterEach, describe, expect, test } from "vitest";
import { findEqualPortUdp, guessAllocation } from "./equal-port.js";
import { chooseFreeDualPort } from "./free-dual-port.js";

/**
 * The search on loopback against our real STUN server: no NAT, so every public port is the local
 * one (a "preserving gateway"). The NAT cases run in the lab (udp-mapping.lab.test.ts) and in the
 * relay-udp bench.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function stunServer(): Promise<string> {
  const server = await startStunServer({ primary: "127.0.0.1", port: 0, tcp: false });
  cleanups.push(() => server.close());
  return `127.0.0.1:${server.endpoints.find((e) => e.transport === "udp")!.port}`;
}

async function bound(port = 0): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind({ address: "127.0.0.1", port }, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

const FAST = { rtoMs: 100, maxSends: 2, timeoutMs: 400 };

describe("findEqualPortUdp", () => {
  test("on a gateway that keeps ports, local UDP port = the TCP public port is found at the first try and kept open", async () => {
    const server = await stunServer();
    const port = await chooseFreeDualPort("127.0.0.1");
    const outcome = await findEqualPortUdp({
      tcpPublicAddress: { ip: "127.0.0.1", port },
      stunServers: [server],
      bindAddress: "127.0.0.1",
    });
    expect(outcome.found).toBe(true);
    if (!outcome.found) return;
    cleanups.push(() => outcome.port.close());
    expect(outcome).toMatchObject({ via: "direct", publicAddress: { ip: "127.0.0.1", port } });
    expect(outcome.port.localPort).toBe(port);
    expect(outcome.tried.sockets).toBe(1);
    // The kept socket still answers STUN: the mapping is usable, not a closed leftover.
    const [host, p] = server.split(":");
    expect(await outcome.port.ask({ address: host!, port: Number(p) }, FAST)).toEqual({
      ip: "127.0.0.1",
      port,
    });
  });

  test("the wanted port busy on this host: a clear PORT_TAKEN reason, within the budget, every socket released", async () => {
    const server = await stunServer();
    const taken = await bound();
    const port = taken.address().port;
    const outcome = await findEqualPortUdp({
      tcpPublicAddress: { ip: "127.0.0.1", port },
      stunServers: [server],
      bindAddress: "127.0.0.1",
      budget: { batchSize: 4, maxSockets: 16 },
      searchAsk: FAST,
    });
    expect(outcome.found).toBe(false);
    if (outcome.found) return;
    expect(outcome.reason.code).toBe("PORT_TAKEN");
    expect(outcome.reason.message).toContain(`port ${port}: busy on this host`);
    expect(outcome.tried.allocation).toBe("preserving");
    expect(outcome.tried.sockets).toBeLessThanOrEqual(4);
    expect(outcome.tried.packets).toBeLessThanOrEqual(4 * FAST.maxSends);
    expect(outcome.tried.direct).toEqual([{ localPort: port, outcome: "busy on this host" }]);
  });

  test("a UDP public IP other than the TCP one is named as such", async () => {
    const server = await stunServer();
    const outcome = await findEqualPortUdp({
      tcpPublicAddress: { ip: "203.0.113.5", port: await chooseFreeDualPort("127.0.0.1") },
      stunServers: [server],
      bindAddress: "127.0.0.1",
      budget: { batchSize: 4 },
      searchAsk: FAST,
    });
    expect(outcome.found).toBe(false);
    if (outcome.found) return;
    expect(outcome.reason.code).toBe("OTHER_PUBLIC_IP");
    expect(outcome.reason.message).toContain("UDP leaves from public IP 127.0.0.1, TCP from 203.0.113.5");
  });

  test("no answer over UDP stops at once with NO_UDP_ANSWER instead of spending the budget", async () => {
    const silent = await bound();
    const outcome = await findEqualPortUdp({
      tcpPublicAddress: { ip: "127.0.0.1", port: await chooseFreeDualPort("127.0.0.1") },
      stunServers: [`127.0.0.1:${silent.address().port}`],
      bindAddress: "127.0.0.1",
      directAsk: FAST,
    });
    expect(outcome.found).toBe(false);
    if (outcome.found) return;
    expect(outcome.reason.code).toBe("NO_UDP_ANSWER");
    expect(outcome.reason.message).toContain("UDP may be blocked");
    expect(outcome.tried.sockets).toBe(1);
  });
});

describe("guessAllocation", () => {
  const sample = (localPort: number, port: number) => ({ localPort, publicAddress: { ip: "x", port } });
  test("tells keeping, counting and random gateways apart, and says unknown below four answers", () => {
    expect(guessAllocation([sample(1, 1), sample(2, 2)])).toBe("unknown");
    expect(guessAllocation([1, 2, 3, 4, 5].map((p) => sample(40_000 + p, 40_000 + p)))).toBe("preserving");
    expect(guessAllocation([1, 2, 4, 5, 6].map((p) => sample(40_000 + p, 10_000 + p)))).toBe("sequential");
    expect(guessAllocation([17, 900, 4_000, 123, 5_555].map((p) => sample(40_000 + p, 10_000 + p)))).toBe(
      "random",
    );
  });
});
