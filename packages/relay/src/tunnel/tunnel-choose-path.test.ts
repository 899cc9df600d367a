import type { Logger } from "@autostun/plugins-api";
import { afterEach, describe, expect, test } from "vitest";
import type { TunnelInbound } from "./inbound-path.js";
import { FakeNetwork } from "./testing/fake-network.js";
import { Tunnel } from "./tunnel.js";
import type { TunnelPorts, TunnelStatus } from "./types.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const running: Tunnel[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

/** A daemon's rule: a port-preserving answer (public == P) hands P to the downloader, else listen on P. */
function makeTunnel(network: FakeNetwork, asked: TunnelPorts[], preserved: TunnelInbound) {
  const tunnel = new Tunnel({
    id: "qb",
    localPort: 6881,
    stunServers: ["stun.test:3478"],
    keepalive: { target: "keep.test:80" },
    handler: { handle() {} },
    logger: quiet,
    network,
    chooseInbound: (ports) => {
      asked.push(ports);
      return ports.publicPort === ports.localPort ? preserved : { kind: "listen-on-p" };
    },
    timing: { recheckIntervalMs: 60_000, stableAfterMs: 0 },
  });
  running.push(tunnel);
  return tunnel;
}

function nextOpen(tunnel: Tunnel): Promise<TunnelStatus> {
  return new Promise((resolve) => {
    const subscription = tunnel.onChange(({ status }) => {
      if (status.state === "OPEN") {
        subscription.dispose();
        resolve(status);
      }
    });
  });
}

describe("a tunnel whose path is chosen once the public port is known", () => {
  test("a port-preserving answer switches to the direct-downloader path before anything listens on P", async () => {
    const network = new FakeNetwork();
    network.portOffset = 0;
    const asked: TunnelPorts[] = [];
    const tunnel = makeTunnel(network, asked, { kind: "downloader-on-p" });
    const open = nextOpen(tunnel);
    tunnel.start();
    expect(await open).toMatchObject({ path: "direct-downloader", listenPort: undefined, localPort: 6881 });
    expect(asked).toEqual([{ localPort: 6881, publicPort: 6881 }]);
    expect(network.log).toEqual(["punch 6881", "keepalive 6881"]);
  });

  test("a remapping answer keeps our listener on P; the choice is asked again at every re-punch", async () => {
    const network = new FakeNetwork();
    const asked: TunnelPorts[] = [];
    const tunnel = makeTunnel(network, asked, { kind: "downloader-on-p" });
    const open = nextOpen(tunnel);
    tunnel.start();
    expect(await open).toMatchObject({ path: "userspace", listenPort: 6881 });

    // The gateway now keeps the port: the next open takes the other path and closes nothing new on P.
    network.portOffset = 0;
    const again = nextOpen(tunnel);
    network.loseKeepAlive();
    expect(await again).toMatchObject({ path: "direct-downloader", listenPort: undefined });
    expect(asked).toEqual([
      { localPort: 6881, publicPort: 7881 },
      { localPort: 6881, publicPort: 6881 },
    ]);
    expect(network.log.filter((line) => line.startsWith("listen "))).toEqual(["listen 6881"]);
  });

  test("the relay-port choice listens on a port R other than P and says so in pathCost", async () => {
    const network = new FakeNetwork();
    network.portOffset = 0;
    const tunnel = makeTunnel(network, [], { kind: "relay-port", port: 0 });
    const open = nextOpen(tunnel);
    tunnel.start();
    const status = await open;
    expect(status).toMatchObject({ path: "userspace", listenPort: 40_000 });
    expect(status.pathCost).toMatch(/redirects port P to relay port 40000/);
    expect(network.log).not.toContain("listen 6881");
  });

  test("a relay port equal to P is refused as a failed attempt, not a crash", async () => {
    const network = new FakeNetwork();
    network.portOffset = 0;
    const tunnel = makeTunnel(network, [], { kind: "relay-port", port: 6881 });
    const failed = new Promise<TunnelStatus>((resolve) => {
      tunnel.onChange(({ status }) => status.state === "FAILED" && resolve(status));
    });
    tunnel.start();
    expect((await failed).reason).toMatch(/relay port 6881 must differ from local port 6881/);
  });
});
