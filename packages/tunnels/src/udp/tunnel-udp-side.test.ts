import { createSocket } from "node:dgram";
import type { Logger } from "@autostun/plugins-api";
import type { Tunnel, TunnelStatus } from "@autostun/relay";
import { expect, test } from "vitest";
import { TunnelUdpSide } from "./tunnel-udp-side.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A TCP side that is OPEN on 127.0.0.1:`port` (the side only reads its status and may move it). */
function openTcp(port: number): { tunnel: Tunnel; moves: number[] } {
  const moves: number[] = [];
  const status = {
    id: "t",
    state: "OPEN",
    reason: "open",
    localPort: port,
    publicAddress: { ip: "127.0.0.1", port },
  } as unknown as TunnelStatus;
  const tunnel = {
    get status() {
      return status;
    },
    relocate(localPort: number, _why: string, handOver: () => void) {
      moves.push(localPort);
      handOver();
    },
  } as unknown as Tunnel;
  return { tunnel, moves };
}

test("with no STUN answer over UDP the side says FAILED, what was tried and that TCP keeps working, and never moves TCP", async () => {
  // A loopback port where nothing answers: every Binding goes unanswered.
  const silent = createSocket("udp4");
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  const { tunnel, moves } = openTcp(45_678);
  const changes: string[] = [];
  const side = new TunnelUdpSide({
    id: "t",
    configuredLocalPort: 0,
    stunUdp: [`127.0.0.1:${silent.address().port}`],
    stunTcp: [`127.0.0.1:${silent.address().port}`],
    targetOnThisHost: true,
    targetPort: () => 6881,
    tunnel,
    inbound: () => "listen-on-p",
    forwarding: {
      prepareSnat: async () => {},
      attach: async () => {},
    },
    logger: quiet,
    onChange: () => changes.push(side.view().state),
    retryAfterMs: 60_000,
  });
  try {
    side.start();
    expect(await side.align()).toBe("done");
    const view = side.view();
    expect(view.state).toBe("FAILED");
    expect(view.samePort).toBe(false);
    expect(view.reason).toMatch(/no UDP mapping on the TCP public port/);
    expect(view.reason).toMatch(/TCP keeps working/);
    expect(view.search).toMatchObject({ outcome: "NOT_FOUND", code: "NO_UDP_ANSWER" });
    expect(view.search?.sockets).toBeGreaterThan(0);
    expect(changes).toContain("OPENING");
    // No UDP answer at all: moving TCP could not help, so it stays where it is.
    expect(moves).toEqual([]);
  } finally {
    await side.stop();
    silent.close();
  }
});
