import { describe, expect, test, vi } from "vitest";
import { MIN_RETRY_DELAY_MS } from "../tunnel/backoff.js";
import { reach, recordEvents, recordingLogger, stoppedAfterEach } from "../tunnel/testing/machine-kit.js";
import { FakeUdpNetwork } from "./testing/fake-udp-network.js";
import { UdpMapping, type UdpMappingOptions } from "./udp-mapping.js";
import { UDP_KEEPALIVE_SECONDS } from "./udp-timing.js";

const { logger, lines: logLines } = recordingLogger();
const running = stoppedAfterEach<UdpMapping>(logLines);

function makeMapping(network: FakeUdpNetwork, overrides: Partial<UdpMappingOptions> = {}) {
  const mapping = new UdpMapping({
    id: "qb",
    localPort: 51_413,
    stunServers: network.servers,
    logger,
    network,
    random: () => 0.5,
    timing: {
      keepaliveIntervalMs: 1_000,
      stableAfterMs: 0,
      backoff: { initialMs: 200, maxMs: 1_600, factor: 2, jitter: 0.3 },
    },
    ...overrides,
  });
  running.push(mapping);
  return { mapping, events: recordEvents(mapping) };
}

/** A mapping made as `makeMapping` makes it, started and OPEN. */
async function openMapping(network: FakeUdpNetwork, overrides: Partial<UdpMappingOptions> = {}) {
  const made = makeMapping(network, overrides);
  const open = reach(made.mapping, "OPEN");
  made.mapping.start();
  await open;
  return made;
}

describe("UdpMapping states", () => {
  test("opens with the public address the STUN answer gave and keeps it alive every interval", async () => {
    vi.useFakeTimers();
    const network = new FakeUdpNetwork();
    const { mapping, events } = makeMapping(network);
    const open = reach(mapping, "OPEN");
    mapping.start();
    const { status } = await open;
    expect(status.publicAddress).toEqual({ ip: "203.0.113.1", port: 51_413 });
    expect(status.localPort).toBe(51_413);
    expect(status.stunServer).toBe("a.test:3478");
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN"]);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(network.probes.map((p) => p.server)).toEqual(["a.test:3478", "a.test:3478", "a.test:3478"]);
    expect(mapping.status.state).toBe("OPEN");
    expect(mapping.status.lastKeepaliveAt?.getTime()).toBeGreaterThanOrEqual(Date.now() - 1_000);
  });

  test("a keep-alive answer with another mapped address is a loss, and it comes back on the new address", async () => {
    vi.useFakeTimers();
    const network = new FakeUdpNetwork();
    const { mapping } = await openMapping(network);
    const recovering = reach(mapping, "RECOVERING");
    const back = reach(mapping, "OPEN");
    network.mapped = { ip: "203.0.113.1", port: 60_001 };
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await recovering).status.reason).toContain("shows public address 203.0.113.1:60001");
    const reopened = (await back).status;
    expect(reopened.publicAddress).toEqual({ ip: "203.0.113.1", port: 60_001 });
    expect(reopened.recoveryCount).toBe(1);
    expect(reopened.reason).toContain("public address 203.0.113.1:51413 -> 203.0.113.1:60001");
  });

  test("a silent keep-alive server is replaced by one that answers, without a loss", async () => {
    vi.useFakeTimers();
    const network = new FakeUdpNetwork();
    const { mapping, events } = await openMapping(network);
    network.silent.add("a.test:3478");
    await vi.advanceTimersByTimeAsync(2_500);
    expect(mapping.status.state).toBe("OPEN");
    expect(mapping.status.stunServer).toBe("b.test:3478");
    expect(events.map((e) => e.status.state)).toEqual(["OPENING", "OPEN"]);
    expect(network.probes.at(-1)?.server).toBe("b.test:3478");
  });

  test("missing answers from every server are a loss; it fails, backs off with growing delays, and opens once answers return", async () => {
    vi.useFakeTimers();
    const network = new FakeUdpNetwork();
    const { mapping, events } = await openMapping(network);
    for (const s of network.servers) network.silent.add(s);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(mapping.status.state).not.toBe("OPEN");
    expect(events.find((e) => e.status.state === "RECOVERING")?.status.reason).toContain(
      "no STUN answer to the UDP keep-alive",
    );
    const punchesAtLoss = network.punches.length;
    await vi.advanceTimersByTimeAsync(10_000);
    const failed = events.filter((e) => e.status.state === "FAILED");
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.at(-1)?.status.reason).toContain("no STUN server answered over UDP");
    // Backing off: in 10 s at most a handful of attempts, each gap at least as long as the one before.
    const attempts = network.punches.slice(punchesAtLoss);
    expect(attempts.length).toBeLessThanOrEqual(10);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    network.silent.clear();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(mapping.status.state).toBe("OPEN");
    expect(mapping.status.failedAttempts).toBe(0);
    expect(mapping.status.recoveryCount).toBe(1);
  });

  test("a mapping that changes at every answer never re-punches faster than the floor", async () => {
    vi.useFakeTimers();
    const network = new FakeUdpNetwork();
    // Everything as eager as a policy can be; the only brake left is the floor and stableAfterMs.
    await openMapping(network, {
      timing: {
        keepaliveIntervalMs: 1,
        stableAfterMs: 60_000,
        backoff: { initialMs: 0, maxMs: 1, factor: 1, jitter: 1 },
      },
    });
    let port = 20_000;
    const flip = setInterval(() => {
      network.mapped = { ip: "203.0.113.1", port: port++ };
    }, 1);
    await vi.advanceTimersByTimeAsync(5_000);
    clearInterval(flip);
    const gaps = network.punches.slice(1).map((t, i) => t - network.punches[i]!);
    expect(gaps.length).toBeGreaterThan(0);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(MIN_RETRY_DELAY_MS);
    expect(network.punches.length).toBeLessThanOrEqual(5_000 / MIN_RETRY_DELAY_MS + 1);
  });

  test("an address or route change while open re-punches at once and keeps the same socket", async () => {
    const network = new FakeUdpNetwork();
    const { mapping } = await openMapping(network, {
      timing: { keepaliveIntervalMs: 60_000, stableAfterMs: 0 },
    });
    const recovering = reach(mapping, "RECOVERING");
    const back = reach(mapping, "OPEN");
    network.mapped = { ip: "198.51.100.7", port: 51_413 };
    network.changeNetwork();
    expect((await recovering).status.reason).toContain("local network changed");
    expect((await back).status.publicAddress).toEqual({ ip: "198.51.100.7", port: 51_413 });
    expect(network.log.filter((l) => l.startsWith("bind"))).toEqual(["bind 51413"]);
  });

  test("a busy local port is FAILED with the reason and retried; stop releases the socket", async () => {
    const network = new FakeUdpNetwork();
    network.bindError = new Error("local UDP port 51413 is already in use on this host");
    const { mapping } = makeMapping(network);
    const failed = reach(mapping, "FAILED");
    mapping.start();
    const { status } = await failed;
    expect(status.reason).toContain("already in use");
    expect(status.nextRetryAt).toBeDefined();
    network.bindError = undefined;
    await reach(mapping, "OPEN");
    await mapping.stop();
    expect(mapping.status.state).toBe("STOPPED");
    expect(network.log).toEqual(["bind 51413", "close 51413"]);
  });
});

describe("UdpMapping options", () => {
  const network = new FakeUdpNetwork();
  test.for([
    [0.5, /udpKeepaliveSeconds must be a number of seconds from 1 to 20/],
    [25, /tunnel "qb": udpKeepaliveSeconds .* got 25/],
    [Number.NaN, /got null/],
  ] as const)("keep-alive interval %s is refused with the setting's name and range", ([seconds, message]) => {
    expect(() => makeMapping(network, { keepaliveSeconds: seconds })).toThrow(message);
  });

  test("the default interval is safely under the 30 s that UDP mappings often live, and inside the range", () => {
    const { mapping } = makeMapping(network, { timing: undefined });
    const ms = mapping.status.keepaliveIntervalMs;
    expect(ms).toBe(UDP_KEEPALIVE_SECONDS.default * 1000);
    expect(ms).toBeLessThanOrEqual(UDP_KEEPALIVE_SECONDS.max * 1000);
    expect(UDP_KEEPALIVE_SECONDS.max).toBeLessThan(30);
  });

  test("no stun.udp server is refused with what to add", () => {
    expect(() => makeMapping(network, { stunServers: [] })).toThrow(/list at least one under stun.udp/);
  });
});
