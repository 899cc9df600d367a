import type { Socket } from "node:net";
import { describe, expect, test, vi } from "vitest";
import { FakeNetwork } from "./testing/fake-network.js";
import { reach, recordEvents, recordingLogger, stoppedAfterEach } from "./testing/machine-kit.js";
import { Tunnel, type TunnelOptions } from "./tunnel.js";

const { logger, lines: logLines } = recordingLogger();
const running = stoppedAfterEach<Tunnel>(logLines);

function makeTunnel(network: FakeNetwork, overrides: Partial<TunnelOptions> = {}) {
  const peers: Socket[] = [];
  const tunnel = new Tunnel({
    id: "qb",
    stunServers: ["stun.test:3478"],
    keepalive: { target: "keep.test:80", intervalSeconds: 10 },
    handler: { handle: (socket) => peers.push(socket) },
    logger,
    network,
    random: () => 0.5,
    timing: {
      recheckIntervalMs: 60_000,
      stableAfterMs: 0,
      backoff: { initialMs: 10, maxMs: 40, factor: 2, jitter: 0.3 },
    },
    ...overrides,
  });
  running.push(tunnel);
  return { tunnel, events: recordEvents(tunnel), peers };
}

describe("Tunnel states", () => {
  test("opens on a chosen port, publishes the public address and hands peers to the handler", async () => {
    const network = new FakeNetwork();
    const { tunnel, events, peers } = makeTunnel(network);
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    const { status } = await open;
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN"]);
    expect(status).toMatchObject({ localPort: 40_000, publicAddress: { ip: "203.0.113.1", port: 41_000 } });
    expect(status.reason).toContain("203.0.113.1:41000");
    // Connect first, then listen.
    expect(network.log).toEqual(["choose 40000", "punch 40000", "keepalive 40000", "listen 40000"]);
    const peer = {} as Socket;
    network.arrive(peer);
    expect(peers).toEqual([peer]);
    expect(logLines.some((l) => l.startsWith("info tunnel qb OPENING -> OPEN"))).toBe(true);
  });

  test("fail(): FAILED with the forwarding's reason, then a retry opens it and announces its ports again", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network);
    const announced: number[] = [];
    tunnel.onPortChange(({ localPort }) => announced.push(localPort));
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    const failed = reach(tunnel, "FAILED");
    const reopened = reach(tunnel, "OPEN");
    tunnel.fail("its nftables rules were removed and nft refused them again");
    expect((await failed).status.reason).toMatch(/^its nftables rules were removed .*; retry 1 in/);
    await reopened;
    // Announced again on the same ports, so the forwarding that follows them is loaded afresh.
    expect(announced).toEqual([40_000, 40_000]);
  });

  test("a configured port is used as given", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network, { localPort: 6881 });
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    expect((await open).status.localPort).toBe(6881);
    expect(network.log[0]).toBe("punch 6881");
  });

  test("a lost keep-alive closes the listener, re-punches the same port and publishes the new address", async () => {
    const network = new FakeNetwork();
    const { tunnel, events } = makeTunnel(network);
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    network.log.length = 0;
    network.portOffset = 2000;
    const reopened = reach(tunnel, "OPEN");
    network.loseKeepAlive("read ECONNRESET");
    const { status } = await reopened;
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN", "RECOVERING", "OPEN"]);
    expect(events[2]?.status.reason).toContain("read ECONNRESET");
    expect(network.log).toEqual([
      "listener-closed 40000",
      "keepalive-closed 40000",
      "punch 40000",
      "keepalive 40000",
      "listen 40000",
    ]);
    expect(status.publicAddress).toEqual({ ip: "203.0.113.1", port: 42_000 });
    expect(status.recoveryCount).toBe(1);
    expect(status.lastRecoveryAt).toBeInstanceOf(Date);
    expect(status.reason).toContain("203.0.113.1:41000 -> 203.0.113.1:42000");
  });

  test("openSince is when the tunnel last turned OPEN: set on opening, cleared while recovering, moved by a recovery", async () => {
    // Only the clock is faked, so the open and the recovery happen at moments the test names.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T08:00:00.000Z"));
    const network = new FakeNetwork();
    const { tunnel, events } = makeTunnel(network);
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    expect(tunnel.status.openSince).toBeUndefined();
    expect((await open).status.openSince?.toISOString()).toBe("2026-03-01T08:00:00.000Z");

    vi.setSystemTime(new Date("2026-03-01T09:30:00.000Z"));
    const reopened = reach(tunnel, "OPEN");
    network.loseKeepAlive("read ECONNRESET");
    const recovered = await reopened;
    const recovering = events.find((e) => e.status.state === "RECOVERING");
    expect(recovering?.status.openSince).toBeUndefined();
    expect(recovered.status.openSince?.toISOString()).toBe("2026-03-01T09:30:00.000Z");

    await tunnel.stop();
    expect(tunnel.status.openSince).toBeUndefined();
  });

  test("the private address is the one the keep-alive leaves from, and follows a move to another interface", async () => {
    const network = new FakeNetwork();
    network.localAddress = "192.168.1.20";
    const { tunnel } = makeTunnel(network);
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    expect((await open).status.privateAddress).toEqual({ ip: "192.168.1.20", port: 40_000 });
    // The default route moved to the host's second interface: the next keep-alive leaves from there.
    network.localAddress = "10.8.0.5";
    const reopened = reach(tunnel, "OPEN");
    network.changeNetwork("local network changed: default route now via wg0");
    expect((await reopened).status.privateAddress).toEqual({ ip: "10.8.0.5", port: 40_000 });
  });

  test("a busy port is left for a fresh one at once, without failing", async () => {
    const network = new FakeNetwork();
    network.busyPorts.add(6881);
    const { tunnel, events } = makeTunnel(network, { localPort: 6881 });
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    expect((await open).status.localPort).toBe(40_000);
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN"]);
    expect(logLines.some((l) => l.includes("local port 6881 is busy"))).toBe(true);
  });

  test("when every server fails the tunnel is FAILED with the reason, keeps retrying, and opens once one answers", async () => {
    const network = new FakeNetwork();
    network.punchError = new Error("no STUN server answered over TCP (a: refused; b: timed out)");
    const { tunnel } = makeTunnel(network);
    const thirdFailure = reach(tunnel, "FAILED", (e) => e.status.failedAttempts === 3);
    tunnel.start();
    const failed = await thirdFailure;
    expect(failed.status.reason).toContain("no STUN server answered");
    expect(failed.status.reason).toContain("retry 3");
    expect(failed.status.nextRetryAt).toBeInstanceOf(Date);
    expect(network.punches).toBe(3);

    const open = reach(tunnel, "OPEN");
    network.punchError = undefined;
    const { status } = await open;
    expect(status.failedAttempts).toBe(0);
    expect(status.nextRetryAt).toBeUndefined();
    expect(status.recoveryCount).toBe(0);
  });

  test("a recheck that sees another public IP re-punches", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network, { timing: { recheckIntervalMs: 5, stableAfterMs: 0 } });
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    const recovering = reach(tunnel, "RECOVERING");
    const reopened = reach(tunnel, "OPEN");
    network.publicIp = "198.51.100.7";
    network.recheckIp = "198.51.100.7";
    expect((await recovering).status.reason).toContain("recheck sees public IP 198.51.100.7");
    expect((await reopened).status.publicAddress?.ip).toBe("198.51.100.7");
    expect(tunnel.status.lastRecheckAt).toBeInstanceOf(Date);
  });

  test("a failing recheck is reported but does not close a working tunnel", async () => {
    const network = new FakeNetwork();
    network.recheckIp = new Error("no STUN server answered");
    const { tunnel, events } = makeTunnel(network, { timing: { recheckIntervalMs: 5 } });
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    await vi.waitUntil(() => tunnel.status.lastRecheckError !== undefined);
    expect(tunnel.status.state).toBe("OPEN");
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN"]);
    expect(logLines.filter((l) => l.includes("recheck failed"))).toHaveLength(1);
  });

  test("a local network change re-punches an open tunnel and cuts a failed one's wait short", async () => {
    const network = new FakeNetwork();
    const { tunnel } = makeTunnel(network, {
      timing: { stableAfterMs: 0, backoff: { initialMs: 60_000, maxMs: 60_000, factor: 2, jitter: 0 } },
    });
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    const recovering = reach(tunnel, "RECOVERING");
    const back = reach(tunnel, "OPEN");
    network.changeNetwork("local network changed: default route eth0 -> wlan0");
    expect((await recovering).status.reason).toContain("default route eth0 -> wlan0");
    await back;

    network.punchError = new Error("no STUN server answered");
    const failed = reach(tunnel, "FAILED");
    network.loseKeepAlive();
    await failed;
    const punches = network.punches;
    network.punchError = undefined;
    const reopened = reach(tunnel, "OPEN");
    network.changeNetwork();
    await reopened;
    expect(network.punches).toBe(punches + 1);
  });

  test("stop closes everything and nothing runs afterwards", async () => {
    const network = new FakeNetwork();
    network.punchError = new Error("no STUN server answered");
    const { tunnel, events } = makeTunnel(network);
    const failed = reach(tunnel, "FAILED");
    tunnel.start();
    await failed;
    await tunnel.stop();
    const punches = network.punches;
    await new Promise((r) => setTimeout(r, 100));
    expect(network.punches).toBe(punches);
    expect(events.at(-1)?.status).toMatchObject({ state: "STOPPED", reason: "stopped on request" });

    network.punchError = undefined;
    const open = reach(tunnel, "OPEN");
    tunnel.start();
    await open;
    network.log.length = 0;
    await tunnel.stop();
    expect(network.log).toEqual(["listener-closed 40000", "keepalive-closed 40000"]);
    expect(tunnel.status.publicAddress).toBeDefined();
  });

  test("a tunnel lost right after opening backs off instead of re-punching in a loop", async () => {
    vi.useFakeTimers();
    const network = new FakeNetwork();
    network.dropKeepAlives = true;
    const { tunnel } = makeTunnel(network, {
      timing: { stableAfterMs: 1_000, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 } },
    });
    tunnel.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // Waits of 100, 200, 400, 800 then 1000 ms fit about 14 attempts into 10 s; a loop would make thousands.
    expect(network.punches).toBeGreaterThan(3);
    expect(network.punches).toBeLessThan(20);
    expect(tunnel.status.state).toBe("RECOVERING");
    expect(tunnel.status.reason).toContain("open only");
  });

  test("bad options are refused with the tunnel's id and the key to fix", () => {
    const network = new FakeNetwork();
    expect(() => makeTunnel(network, { stunServers: [] })).toThrow(/tunnel "qb": .*stun\.tcp/);
    expect(() => makeTunnel(network, { stunServers: ["nonsense"] })).toThrow(
      /tunnel "qb": stun\.tcp entry "nonsense"/,
    );
    expect(() => makeTunnel(network, { keepalive: { target: "x" } })).toThrow(
      /tunnel "qb": keepalive\.target/,
    );
    expect(() => makeTunnel(network, { localPort: 70_000 })).toThrow(/tunnel "qb": localPort/);
  });
});
