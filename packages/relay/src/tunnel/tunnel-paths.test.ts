import type { Logger } from "@autostun/plugins-api";
import { afterEach, describe, expect, test } from "vitest";
import type { TunnelInbound } from "./inbound-path.js";
import { FakeNetwork } from "./testing/fake-network.js";
import { Tunnel } from "./tunnel.js";
import type { PortChange, TunnelStatus } from "./types.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const running: Tunnel[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

function makeTunnel(network: FakeNetwork, inbound: TunnelInbound, localPort = 0) {
  const tunnel = new Tunnel({
    id: "qb",
    localPort,
    stunServers: ["stun.test:3478"],
    keepalive: { target: "keep.test:80" },
    handler: { handle() {} },
    logger: quiet,
    network,
    inbound,
    timing: { recheckIntervalMs: 60_000, stableAfterMs: 0 },
  });
  running.push(tunnel);
  const changes: PortChange[] = [];
  tunnel.onPortChange((change) => changes.push(change));
  return { tunnel, changes };
}

function nextOpen(tunnel: Tunnel, skip = 0): Promise<TunnelStatus> {
  let seen = 0;
  return new Promise((resolve) => {
    const subscription = tunnel.onChange(({ status }) => {
      if (status.state === "OPEN" && seen++ === skip) {
        subscription.dispose();
        resolve(status);
      }
    });
  });
}

describe("the path a tunnel's peers take", () => {
  test("nftables: punches and keeps P but listens nowhere, and says what that costs", async () => {
    const network = new FakeNetwork();
    const { tunnel, changes } = makeTunnel(network, { kind: "kernel-dnat" }, 6881);
    const open = nextOpen(tunnel);
    tunnel.start();
    const status = await open;
    expect(network.log).toEqual(["punch 6881", "keepalive 6881"]);
    expect(status).toMatchObject({ path: "nftables", listenPort: undefined });
    expect(status.pathCost).toMatch(/without copies/);
    expect(changes).toEqual([{ localPort: 6881, publicPort: 7881, previous: undefined }]);

    // Same P, same public port after a re-punch: nothing to push.
    const again = nextOpen(tunnel);
    network.loseKeepAlive();
    await again;
    expect(changes).toHaveLength(1);
  });

  test("direct-downloader: once the downloader holds P, a re-punch moves to a fresh port and announces it", async () => {
    const network = new FakeNetwork();
    network.portOffset = 0; // a port-preserving gateway
    const { tunnel, changes } = makeTunnel(network, { kind: "downloader-on-p" }, 6881);
    const open = nextOpen(tunnel);
    tunnel.start();
    expect(await open).toMatchObject({ path: "direct-downloader", listenPort: undefined });
    expect(network.log).not.toContain("listen 6881");

    network.busyPorts.add(6881); // the downloader now listens on P
    const moved = nextOpen(tunnel);
    network.loseKeepAlive();
    const status = await moved;
    expect(status.localPort).toBe(40_000);
    expect(status.pathCost).toMatch(/new port that must be pushed/);
    expect(changes.at(-1)).toEqual({
      localPort: 40_000,
      publicPort: 40_000,
      previous: { localPort: 6881, publicPort: 6881 },
    });
  });

  test("relay port: listens on a port R chosen once and kept across recoveries, never on P", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network, { kind: "relay-port", port: 0 }, 6881);
    const open = nextOpen(tunnel);
    tunnel.start();
    const status = await open;
    expect(status).toMatchObject({ path: "userspace", listenPort: 40_000 });
    expect(status.pathCost).toMatch(/redirects port P to relay port 40000/);
    const again = nextOpen(tunnel);
    network.loseKeepAlive();
    await again;
    expect(network.log.filter((line) => line.startsWith("listen "))).toEqual([
      "listen 40000",
      "listen 40000",
    ]);
  });

  test("the default listens on P and reports the user-space path", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network, { kind: "listen-on-p" }, 6881);
    const open = nextOpen(tunnel);
    tunnel.start();
    expect(await open).toMatchObject({ path: "userspace", listenPort: 6881 });
  });

  test("a relay port equal to P is refused, naming the tunnel", () => {
    expect(() => makeTunnel(new FakeNetwork(), { kind: "relay-port", port: 6881 }, 6881)).toThrow(
      /tunnel "qb": the relay port 6881 must differ from localPort/,
    );
  });
});

describe("a busy P found by a real punch", () => {
  test("a STUN race that failed because P is taken counts as a busy port, so the tunnel moves", async () => {
    const { PunchFailedError } = await import("../punch/stun-race.js");
    const { isLocalPortBusy } = await import("../punch/local-port-busy.js");
    const busy = Object.assign(new Error("bind EADDRINUSE 0.0.0.0:6881"), { code: "EADDRINUSE" });
    const raced = new PunchFailedError(
      [{ server: "stun.test:3478", reason: busy.message, error: busy }],
      6881,
    );
    expect(isLocalPortBusy(raced)).toBe(true);
    const down = new Error("connect ECONNREFUSED");
    expect(
      isLocalPortBusy(new PunchFailedError([{ server: "s:1", reason: "refused", error: down }], 6881)),
    ).toBe(false);
  });
});
