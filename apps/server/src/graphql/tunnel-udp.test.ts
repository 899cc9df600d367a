import type { ConnectionRecord, TunnelStatus } from "@autostun/relay";
import type { TunnelUdpStats, TunnelUdpView, TunnelView } from "@autostun/tunnels";
import { graphql } from "graphql";
import { describe, expect, it } from "vitest";
import { Tokens } from "../tokens.js";
import type { GraphQLContext } from "./context.js";
import { schema } from "./schema.js";
import { tunnelUdpFields } from "./tunnel-udp.js";

/**
 * `Tunnel.udp` and `TunnelConnection.protocol` through the daemon's real schema, with a relay manager
 * that answers fixed views: every field of the UDP view must reach the client as the view holds it.
 */

const SEARCHED_AT = new Date("2026-12-07T21:00:00.250Z");
const KEPT_ALIVE_AT = new Date("2026-12-07T21:05:10.000Z");

const OPEN_UDP: TunnelUdpView = {
  state: "OPEN",
  reason: "UDP holds 203.0.113.7:40001, the TCP public port",
  publicAddress: { ip: "203.0.113.7", port: 40001 },
  localPort: 51000,
  samePort: true,
  lastKeepaliveAt: KEPT_ALIVE_AT,
  match: "SEARCH",
  search: { outcome: "FOUND", sockets: 24, packets: 31, elapsedMs: 1830, at: SEARCHED_AT },
};

const MISSED_UDP: TunnelUdpView = {
  state: "FAILED",
  reason: "no UDP mapping on port 40002 after 64 sockets; TCP keeps working",
  publicAddress: { ip: "203.0.113.7", port: 38811 },
  localPort: undefined,
  samePort: false,
  lastKeepaliveAt: undefined,
  search: {
    outcome: "NOT_FOUND",
    code: "BUDGET_SPENT",
    sockets: 64,
    packets: 80,
    elapsedMs: 9000,
    at: SEARCHED_AT,
  },
};

function status(id: string, port: number): TunnelStatus {
  return {
    id,
    state: "OPEN",
    reason: "open",
    localPort: port,
    publicAddress: { ip: "203.0.113.7", port },
    privateAddress: { ip: "192.168.1.2", port },
    stunServer: undefined,
    lastKeepaliveAt: undefined,
    lastRecheckAt: undefined,
    lastRecheckError: undefined,
    recoveryCount: 0,
    lastRecoveryAt: undefined,
    openSince: undefined,
    lastRecoveryMs: undefined,
    failedAttempts: 0,
    nextRetryAt: undefined,
    path: "userspace",
    pathCost: "",
    listenPort: port,
  };
}

function view(id: string, port: number, udp: TunnelUdpView | undefined): TunnelView {
  return {
    config: { id, localPort: port, target: "127.0.0.1:6881" },
    origin: "config",
    status: status(id, port),
    ...(udp ? { udp } : {}),
  } as TunnelView;
}

const UDP_STATS: TunnelUdpStats = {
  active: 3,
  handled: 17,
  blocked: 2,
  dropped: 1,
  bytesIn: 9000,
  bytesOut: 12000,
};

const VIEWS = [
  view("same", 40001, OPEN_UDP),
  view("missed", 40002, MISSED_UDP),
  view("tcp-only", 40003, undefined),
];

function record(id: string, protocol: ConnectionRecord["protocol"]): ConnectionRecord {
  return {
    id,
    tunnelId: "same",
    ...(protocol ? { protocol } : {}),
    remoteAddress: "198.51.100.4:6881",
    proxyAddress: `127.4.5.${id.length}:51413`,
    openedAt: SEARCHED_AT,
    closedAt: null,
    bytesIn: 1,
    bytesOut: 2,
    geo: null,
  };
}

const RECORDS: Record<string, ConnectionRecord> = {
  "127.0.0.1:1": record("a", "UDP"),
  "127.0.0.1:2": record("bb", "TCP"),
  // A row stored before UDP existed carries no protocol: it was TCP.
  "127.0.0.1:3": record("ccc", undefined),
};

const relay = {
  list: () => VIEWS,
  udpStats: async (id: string) => (id === "same" ? UDP_STATS : null),
  resolvePeer: (address: string) => RECORDS[address],
};

async function ask(source: string) {
  const contextValue: GraphQLContext = {
    locale: "en",
    signal: new AbortController().signal,
    services: {
      get: ((token: unknown) => {
        if (token === Tokens.Relay) return relay;
        throw new Error(`this test has no ${String(token)}`);
      }) as GraphQLContext["services"]["get"],
    },
  };
  const result = await graphql({ schema, source, contextValue });
  expect(result.errors).toBeUndefined();
  return result.data as Record<string, unknown>;
}

const UDP_QUERY = `{ tunnels { id udp { state reason publicAddress { ip port } localPort samePort lastKeepaliveAt match
  search { outcome code sockets packets elapsedMs at } stats { active handled blocked dropped bytesIn bytesOut } } } }`;

describe("Tunnel.udp", () => {
  it("shows every field of a UDP side that found the TCP port, with its counters", async () => {
    const data = (await ask(UDP_QUERY)) as { tunnels: { id: string; udp: unknown }[] };
    expect(data.tunnels[0]).toEqual({
      id: "same",
      udp: {
        state: "OPEN",
        reason: "UDP holds 203.0.113.7:40001, the TCP public port",
        publicAddress: { ip: "203.0.113.7", port: 40001 },
        localPort: 51000,
        samePort: true,
        lastKeepaliveAt: "2026-12-07T21:05:10.000Z",
        match: "SEARCH",
        search: {
          outcome: "FOUND",
          code: null,
          sockets: 24,
          packets: 31,
          elapsedMs: 1830,
          at: "2026-12-07T21:00:00.250Z",
        },
        stats: { active: 3, handled: 17, blocked: 2, dropped: 1, bytesIn: 9000, bytesOut: 12000 },
      },
    });
  });

  it("says why UDP is on another port, what the search spent, and null where nothing is known", async () => {
    const data = (await ask(UDP_QUERY)) as { tunnels: { id: string; udp: unknown }[] };
    expect(data.tunnels[1]).toEqual({
      id: "missed",
      udp: {
        state: "FAILED",
        reason: "no UDP mapping on port 40002 after 64 sockets; TCP keeps working",
        publicAddress: { ip: "203.0.113.7", port: 38811 },
        localPort: null,
        samePort: false,
        lastKeepaliveAt: null,
        match: null,
        search: {
          outcome: "NOT_FOUND",
          code: "BUDGET_SPENT",
          sockets: 64,
          packets: 80,
          elapsedMs: 9000,
          at: "2026-12-07T21:00:00.250Z",
        },
        stats: null,
      },
    });
  });

  it("is null for a tunnel configured with udp: false", async () => {
    const data = (await ask(UDP_QUERY)) as { tunnels: { id: string; udp: unknown }[] };
    expect(data.tunnels[2]).toEqual({ id: "tcp-only", udp: null });
    expect(tunnelUdpFields(undefined)).toBeNull();
  });

  it("answers null stats, not an error, when the relay cannot read them", async () => {
    const failing = relay.udpStats;
    relay.udpStats = async () => {
      throw new Error("tunnel went away");
    };
    try {
      const data = (await ask(`{ tunnels { udp { stats { active } } } }`)) as {
        tunnels: { udp: { stats: unknown } | null }[];
      };
      expect(data.tunnels.map((t) => t.udp?.stats ?? null)).toEqual([null, null, null]);
    } finally {
      relay.udpStats = failing;
    }
  });
});

describe("TunnelConnection.protocol", () => {
  it("names UDP sessions and TCP connections, and TCP for records from before UDP", async () => {
    const protocols: string[] = [];
    for (const address of Object.keys(RECORDS)) {
      const data = (await ask(`{ resolvePeer(address: "${address}") { id protocol } }`)) as {
        resolvePeer: { protocol: string };
      };
      protocols.push(data.resolvePeer.protocol);
    }
    expect(protocols).toEqual(["UDP", "TCP", "TCP"]);
  });
});
