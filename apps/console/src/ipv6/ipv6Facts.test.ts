import { describe, expect, it } from "vitest";
import { ipv6Facts } from "./ipv6Facts.js";

// Facts as `ipv6.reachability` reports them in the lab behind the router's IPv6 firewall.
const closed = {
  addresses: [
    { address: "2a0b:8877:77::2", interface: "lan0", prefixLength: 64, temporary: false },
    { address: "2a0b:8877:77::9f3a", interface: "lan0", prefixLength: 64, temporary: true },
  ],
  defaultRoute: { gateway: "fe80::1", interface: "lan0" },
  hasDefaultRoute: true,
  port: 6881,
  listeners: { port: 6881, tcp: ["[::]:6881"], udp: [], tcpOnIpv6: true, udpOnIpv6: false },
  router: {
    from: "2a0b:8877:77::2",
    filtering: "ADDRESS_AND_PORT_DEPENDENT",
    tried: ["[2a0b:1::10]:3478"],
    answered: ["[2a0b:1::10]:3478"],
    problems: [],
  },
  unreadable: [],
};

const byId = (facts: ReturnType<typeof ipv6Facts>) => new Map(facts.map((fact) => [fact.id, fact]));

describe("the IPv6 path's facts in the user's words", () => {
  it("names the address, the router's firewall as the blocker, and the downloader listening", () => {
    const facts = byId(ipv6Facts(closed));
    expect(facts.get("address")).toMatchObject({ literal: "2a0b:8877:77::2", tone: "good" });
    expect(facts.get("router")).toMatchObject({
      text: "ipv6.fact.router.filtered",
      params: { filtering: "ADDRESS_AND_PORT_DEPENDENT" },
      tone: "bad",
    });
    expect(facts.get("listening")).toMatchObject({ text: "ipv6.fact.listening.yes", tone: "good" });
    expect(facts.get("pinhole")).toMatchObject({ text: "ipv6.fact.pinhole.none" });
    expect(facts.get("swarm")).toMatchObject({ text: "ipv6.fact.swarm.unasked", tone: "unknown" });
  });

  it("shows a downloader bound to IPv4 only, and an unmeasured router, as what they are", () => {
    const facts = byId(
      ipv6Facts({
        ...closed,
        listeners: { port: 6881, tcp: ["0.0.0.0:6881"], udp: [], tcpOnIpv6: false, udpOnIpv6: false },
        router: { ...closed.router, filtering: "UNKNOWN", answered: [] },
      }),
    );
    expect(facts.get("listening")).toMatchObject({
      text: "ipv6.fact.listening.ipv4Only",
      params: { port: 6881, bound: "0.0.0.0:6881" },
      tone: "bad",
    });
    expect(facts.get("router")).toMatchObject({ text: "ipv6.fact.router.noAnswer", tone: "unknown" });
  });

  it("does not blame the router when this host's own firewall dropped the probes' answers", () => {
    const masked = byId(
      ipv6Facts({
        ...closed,
        probePort: { port: 50123, accepted: false, droppedBy: "nftables inet hostfw input" },
      }),
    );
    expect(masked.get("router")).toMatchObject({
      text: "ipv6.fact.router.maskedByHost",
      params: { layer: "nftables inet hostfw input" },
      tone: "unknown",
    });
  });

  it("prefers the tunnel's pinhole, with its lease end, over the check's view", () => {
    const open = byId(
      ipv6Facts(closed, { state: "OPEN", leaseEndsAt: "2026-05-01T13:00:00.000Z", error: null }),
    );
    expect(open.get("pinhole")).toMatchObject({
      text: "ipv6.fact.pinhole.openUntil",
      params: { until: "2026-05-01T13:00:00.000Z" },
      tone: "good",
    });
    const failed = byId(ipv6Facts(closed, { state: "FAILED", error: "606 Action not authorized" }));
    expect(failed.get("pinhole")).toMatchObject({
      text: "ipv6.fact.pinhole.otherWhy",
      params: { error: "606 Action not authorized" },
      stateWord: "ipv6.pinhole.FAILED",
      tone: "bad",
    });
  });

  it("shows the first incoming IPv6 peer from the swarm with when it was first seen", () => {
    const incomingIpv6Peers = [
      {
        tunnelId: "qb",
        address: "[2001:db8:9::7]:51413",
        client: "Transmission 4.0",
        firstSeenAt: "2026-05-01T11:58:00.000Z",
        lastSeenAt: "2026-05-01T12:00:00.000Z",
      },
      { tunnelId: "qb", address: "[2001:db8:9::8]:6881", firstSeenAt: "2026-05-01T11:59:00.000Z" },
    ];
    expect(
      byId(ipv6Facts({ ...closed, swarm: { tunnels: [] }, incomingIpv6Peers })).get("swarm"),
    ).toMatchObject({
      text: "ipv6.fact.swarm.incomingAt",
      params: { address: "[2001:db8:9::7]:51413", count: 2, at: "2026-05-01T11:58:00.000Z" },
      tone: "good",
    });
  });

  it("says why the swarm proves nothing yet: no incoming peer, no direction told, or the client's error", () => {
    const tunnel = {
      tunnelId: "qb",
      supported: true,
      peers: 3,
      ipv6: 1,
      incomingIpv6: 0,
      unknownDirectionIpv6: 0,
    };
    const swarm = (tunnels: unknown[]) =>
      byId(ipv6Facts({ ...closed, swarm: { tunnels }, incomingIpv6Peers: [] })).get("swarm");
    expect(swarm([tunnel])).toMatchObject({ text: "ipv6.fact.swarm.none" });
    expect(swarm([{ ...tunnel, unknownDirectionIpv6: 1 }])).toMatchObject({
      text: "ipv6.fact.swarm.undirected",
      params: { count: 1 },
    });
    expect(swarm([{ ...tunnel, supported: false, error: "aria2 lists no peers" }])).toMatchObject({
      text: "ipv6.fact.swarm.unknownWhy",
      params: { reason: "aria2 lists no peers" },
    });
    expect(swarm([{ ...tunnel, supported: false }])).toMatchObject({ text: "ipv6.fact.swarm.untold" });
  });

  it("shows nothing for a check that has not run, and survives facts of another shape", () => {
    expect(ipv6Facts(null)).toEqual([]);
    const odd = byId(ipv6Facts({ addresses: "none", router: 3, listeners: [], swarm: "n/a" }));
    expect(odd.get("address")?.text).toBe("ipv6.fact.unknown");
    expect(odd.get("router")?.text).toBe("ipv6.fact.router.unmeasured");
    expect(odd.get("swarm")?.text).toBe("ipv6.fact.swarm.unasked");
  });
});
