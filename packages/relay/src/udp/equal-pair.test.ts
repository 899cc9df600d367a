import { createSocket } from "node:dgram";
import { startStunServer } from "@autostun/stun";
import { afterEach, describe, expect, test } from "vitest";
import { findEqualPortPair } from "./equal-pair.js";

/** On loopback (no NAT) a public port is the local one: only reverse-direct tries can match. */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function servers() {
  const server = await startStunServer({ primary: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  const at = (t: "udp" | "tcp") => `127.0.0.1:${server.endpoints.find((e) => e.transport === t)!.port}`;
  return { udp: at("udp"), tcp: at("tcp") };
}

describe("findEqualPortPair", () => {
  test("TCP from local port U of a held UDP mapping gives the pair; both halves stay open, the rest is closed", async () => {
    const { udp, tcp } = await servers();
    const outcome = await findEqualPortPair({ stunTcp: [tcp], stunUdp: [udp], bindAddress: "127.0.0.1" });
    expect(outcome.found).toBe(true);
    if (!outcome.found) return;
    cleanups.push(
      () => outcome.udp.close(),
      () => outcome.tcp.release(),
    );
    expect(outcome.via).toBe("reverse-direct");
    expect(outcome.tcp.localPort).toBe(outcome.udp.localPort);
    expect(outcome.publicAddress).toEqual({ ip: "127.0.0.1", port: outcome.udp.localPort });
    expect(outcome.tried.tcpConnections).toBe(1);
    expect(outcome.tried.udpSockets).toBeLessThanOrEqual(8);
    // The UDP half is live: its port cannot be bound by anyone else.
    const other = createSocket("udp4");
    const error = await new Promise<unknown>((resolve) => {
      other.once("error", resolve);
      other.bind({ address: "127.0.0.1", port: outcome.udp.localPort }, () => resolve(undefined));
    });
    other.close();
    expect((error as { code?: string } | undefined)?.code).toBe("EADDRINUSE");
  });

  test("without reverse-direct tries no pair can exist on loopback: the budget ends it with a reason", async () => {
    const { udp, tcp } = await servers();
    const outcome = await findEqualPortPair({
      stunTcp: [tcp],
      stunUdp: [udp],
      bindAddress: "127.0.0.1",
      tryReverseDirect: false,
      budget: { maxSockets: 16, batchPauseMs: 10 },
    });
    expect(outcome.found).toBe(false);
    if (outcome.found) return;
    expect(outcome.reason.code).toBe("BUDGET_SPENT");
    expect(outcome.tried.udpSockets + outcome.tried.tcpConnections).toBeLessThanOrEqual(16);
    expect(outcome.reason.message).toContain("no TCP and UDP mappings with equal public ports");
  });
});
