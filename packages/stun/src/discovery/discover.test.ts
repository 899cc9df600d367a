import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAddress, getChangeRequest } from "../message/accessors.js";
import { type StunServer, startStunServer } from "../server/stun-server.js";
import { discoverNat } from "./discover.js";

const A = "127.0.0.1";
const B = "127.0.0.2";

function primaryOf(server: StunServer, transport: "udp" | "tcp"): string {
  const e = server.endpoints.find((x) => x.transport === transport && x.address === A)!;
  return formatAddress(e);
}

describe("discoverNat on loopback against our RFC 5780 server", () => {
  let honest: StunServer;
  let liar: StunServer;
  let plain: StunServer;
  beforeAll(async () => {
    [honest, liar, plain] = await Promise.all([
      startStunServer({ primary: A, alternate: B, port: 0, altPort: 0 }),
      startStunServer({ primary: A, alternate: B, port: 0, altPort: 0, lieAboutChangeRequest: true }),
      startStunServer({ primary: A, port: 0 }),
    ]);
  });
  afterAll(() => Promise.all([honest, liar, plain].map((s) => s?.close())));

  it("sees no NAT: OPEN, endpoint-independent mapping and filtering over UDP and TCP", async () => {
    const result = await discoverNat({
      udpServers: [primaryOf(honest, "udp")],
      tcpServers: [primaryOf(honest, "tcp")],
      rto: 50,
    });
    expect(result).toMatchObject({
      natType: "OPEN",
      udp: { mapping: "ENDPOINT_INDEPENDENT", filtering: "ENDPOINT_INDEPENDENT" },
      tcp: { mapping: "ENDPOINT_INDEPENDENT" },
      publicIp: A,
      localIp: A,
    });
    expect(result.mappedUdp).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(result.mappedTcp).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(result.servers).toEqual([
      expect.objectContaining({
        transport: "udp",
        ok: true,
        role: "behaviour",
        changeRequest: "honoured",
        otherAddress: expect.stringMatching(/^127\.0\.0\.2:/),
      }),
      expect.objectContaining({
        transport: "tcp",
        ok: true,
        role: "behaviour",
        otherAddress: expect.stringMatching(/^127\.0\.0\.2:/),
      }),
    ]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("catches the lying server, does not believe it, and takes the verdict from an honest one", async () => {
    const result = await discoverNat({
      udpServers: [primaryOf(liar, "udp"), primaryOf(honest, "udp")],
      tcpServers: [],
      rto: 50,
    });
    const liarReport = result.servers.find((s) => s.server === primaryOf(liar, "udp"));
    expect(liarReport).toMatchObject({
      ok: false,
      changeRequest: "lied",
      reason: expect.stringMatching(/not believed/),
    });
    expect(liarReport?.role).toBeUndefined();
    expect(result.servers.find((s) => s.server === primaryOf(honest, "udp"))).toMatchObject({
      ok: true,
      role: "behaviour",
    });
    expect(result.udp.filtering).toBe("ENDPOINT_INDEPENDENT");
  });

  it("with only the liar, believes nothing: UNKNOWN, not the lie's full cone, and not UDP_BLOCKED", async () => {
    const result = await discoverNat({ udpServers: [primaryOf(liar, "udp")], tcpServers: [], rto: 50 });
    expect(result.udp).toMatchObject({ mapping: "UNKNOWN", filtering: "UNKNOWN" });
    expect(result.natType).toBe("UNKNOWN");
  });

  it("lists unreachable, unresolvable and malformed servers as skipped with the reason", async () => {
    const silent = createSocket("udp4"); // bound but never answers
    await new Promise<void>((r) => silent.bind(0, A, () => r()));
    try {
      const dead = `${A}:${silent.address().port}`;
      const result = await discoverNat({
        udpServers: [dead, "no-such-host.invalid:3478", "nonsense", primaryOf(honest, "udp")],
        tcpServers: [`${A}:1`],
        rto: 20,
      });
      const by = (name: string, transport: string) =>
        result.servers.find((s) => s.server === name && s.transport === transport);
      expect(by(dead, "udp")).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/no answer: no STUN reply/),
      });
      expect(by("no-such-host.invalid:3478", "udp")).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/cannot resolve no-such-host\.invalid/),
      });
      expect(by("nonsense", "udp")).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/is not host:port/),
      });
      expect(by(`${A}:1`, "tcp")).toMatchObject({ ok: false, reason: expect.stringMatching(/ECONNREFUSED/) });
      expect(result.natType).toBe("OPEN");
      expect(result.tcp.mapping).toBe("UNKNOWN");
    } finally {
      silent.close();
    }
  });

  it("reports UDP_BLOCKED when no UDP server answers", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, A, () => r()));
    try {
      const result = await discoverNat({
        udpServers: [`${A}:${silent.address().port}`],
        tcpServers: [primaryOf(honest, "tcp")],
        rto: 20,
      });
      expect(result.natType).toBe("UDP_BLOCKED");
      // Blocked is said only after enough datagrams went unanswered that loss cannot explain it.
      expect(result.udp.probes.answered).toBe(0);
      expect(result.udp.probes.sent).toBeGreaterThanOrEqual(24);
      expect(result.tcp.mapping).toBe("ENDPOINT_INDEPENDENT");
      expect(result.publicIp).toBe(A);
    } finally {
      silent.close();
    }
  });

  it("falls back to comparing servers when none offers OTHER-ADDRESS, leaving filtering UNKNOWN", async () => {
    const other = await startStunServer({ primary: B, port: 0 });
    try {
      const result = await discoverNat({
        udpServers: [
          primaryOf(plain, "udp"),
          formatAddress(other.endpoints.find((e) => e.transport === "udp")!),
        ],
        tcpServers: [
          primaryOf(plain, "tcp"),
          formatAddress(other.endpoints.find((e) => e.transport === "tcp")!),
        ],
        rto: 50,
      });
      expect(result.udp).toMatchObject({ mapping: "ENDPOINT_INDEPENDENT", filtering: "UNKNOWN" });
      // Nothing was lost: the servers simply cannot test filtering, so there is no second attempt.
      expect(result.udp.attempts).toBe(1);
      expect(result.udp.undecided).toBeUndefined();
      expect(result.tcp.mapping).toBe("ENDPOINT_INDEPENDENT");
      expect(result.servers.filter((s) => s.ok).map((s) => s.role)).toEqual([
        "mapping",
        "mapping",
        "mapping",
        "mapping",
      ]);
      expect(result.servers[0]?.reason).toMatch(/no OTHER-ADDRESS/);
      expect(result.natType).toBe("OPEN");
    } finally {
      await other.close();
    }
  });

  it("stops at the AbortSignal and still returns a result: 20 ms of silence is not blocked UDP", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, A, () => r()));
    try {
      const controller = new AbortController();
      const pending = discoverNat({
        udpServers: [`${A}:${silent.address().port}`],
        tcpServers: [],
        rto: 1000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 20);
      const result = await pending;
      expect(result.natType).toBe("UNKNOWN");
      expect(result.udp.undecided).toBe("udp-silence-too-short");
      expect(result.udp.probes).toEqual({ sent: 2, answered: 0 });
      expect(result.servers[0]?.reason).toMatch(/aborted/);
    } finally {
      silent.close();
    }
  });

  it("does not read lost CHANGE-REQUEST answers as filtering: keeps asking until one gets through", async () => {
    // The first four answers to each CHANGE-REQUEST vanish, as on a path losing most datagrams.
    const lost = new Map<string, number>();
    const lossy = await startStunServer({
      primary: A,
      alternate: B,
      port: 0,
      altPort: 0,
      loseUdpReply: (request) => {
        const change = getChangeRequest(request);
        if (!change) return false;
        const key = `${change.changeIp}`;
        lost.set(key, (lost.get(key) ?? 0) + 1);
        return lost.get(key)! <= 4;
      },
    });
    try {
      const result = await discoverNat({ udpServers: [primaryOf(lossy, "udp")], tcpServers: [], rto: 50 });
      expect(result.udp.filtering).toBe("ENDPOINT_INDEPENDENT");
      expect(result.natType).toBe("OPEN");
      const probes = result.servers[0]?.probes;
      expect(probes?.["change-ip-port"]).toMatchObject({ answered: 1 });
      expect(probes?.["change-ip-port"]?.sent).toBeGreaterThanOrEqual(5);
    } finally {
      await lossy.close();
    }
  });

  it("leaves filtering UNKNOWN with the reason, not a stricter one, when too few controls come back either", async () => {
    // Every answer from the alternate address is lost, and so are the plain answers beside them after the
    // first few: too little got through to tell filtering from loss.
    let plain = 0;
    const lossy = await startStunServer({
      primary: A,
      alternate: B,
      port: 0,
      altPort: 0,
      loseUdpReply: (request) => getChangeRequest(request) !== undefined || ++plain > 6,
    });
    try {
      const result = await discoverNat({ udpServers: [primaryOf(lossy, "udp")], tcpServers: [], rto: 50 });
      expect(result.udp.filtering).toBe("UNKNOWN");
      // Loopback has no NAT, which the mapped address alone shows: that verdict needs no filtering.
      expect(result.natType).toBe("OPEN");
      expect(result.servers[0]?.reason).toMatch(/too many filtering probes lost/);
      const probes = result.servers[0]?.probes;
      expect(probes?.["change-port"]).toMatchObject({ answered: 0 });
      expect(probes?.["filtering-control"]?.answered).toBeLessThan(12);
    } finally {
      await lossy.close();
    }
  });

  it("works over IPv6 too ([::1], primary-only server)", async () => {
    const v6 = await startStunServer({ primary: "::1", port: 0 });
    try {
      const [udp, tcp] = (["udp", "tcp"] as const).map((t) =>
        formatAddress(v6.endpoints.find((e) => e.transport === t)!),
      );
      expect(udp).toMatch(/^\[::1\]:\d+$/);
      const result = await discoverNat({ udpServers: [udp!], tcpServers: [tcp!], rto: 50 });
      expect(result).toMatchObject({ natType: "OPEN", publicIp: "::1", localIp: "::1" });
      expect(result.mappedUdp).toMatch(/^\[::1\]:\d+$/);
    } finally {
      await v6.close();
    }
  });
});
