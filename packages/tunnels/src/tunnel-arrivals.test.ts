import { tunnelSchema } from "@autostun/config";
import type { ConnectionRecord, TunnelStatus } from "@autostun/relay";
import { describe, expect, it } from "vitest";
import { TunnelArrivals } from "./tunnel-arrivals.js";
import type { TunnelView } from "./tunnel-view.js";
import type { TunnelUdpView } from "./udp/tunnel-udp-view.js";

const PUBLIC = { ip: "203.0.113.5", port: 40123 };

function view(udp?: Partial<TunnelUdpView>): TunnelView {
  const status = { id: "qb", state: "OPEN", publicAddress: PUBLIC } as unknown as TunnelStatus;
  return {
    config: tunnelSchema.parse({ id: "qb", target: "127.0.0.1:6881", ...(udp ? {} : { udp: false }) }),
    origin: "config",
    status,
    ...(udp
      ? {
          udp: {
            state: "OPEN",
            reason: "open on the TCP public port",
            publicAddress: PUBLIC,
            localPort: 40123,
            samePort: true,
            lastKeepaliveAt: undefined,
            ...udp,
          },
        }
      : {}),
  };
}

let serial = 0;
function peer(remoteAddress: string, at: string, protocol?: "TCP" | "UDP"): ConnectionRecord {
  serial += 1;
  return {
    id: `c${serial}`,
    tunnelId: "qb",
    ...(protocol ? { protocol } : {}),
    remoteAddress,
    proxyAddress: null,
    openedAt: new Date(at),
    closedAt: null,
    bytesIn: 0,
    bytesOut: 0,
    geo: null,
  };
}

describe("TunnelArrivals", () => {
  it("describes a TCP-only tunnel exactly as before UDP existed", () => {
    const arrivals = new TunnelArrivals();
    arrivals.record(peer("198.51.100.7:51413", "2026-11-20T10:00:00Z"), view());
    arrivals.record(peer("198.51.100.8:6881", "2026-11-20T10:05:00Z"), view());
    expect(arrivals.describe(view())).toEqual({
      id: "qb",
      state: "OPEN",
      publicAddress: "203.0.113.5:40123",
      firstInboundAt: "2026-11-20T10:00:00.000Z",
      firstInboundFrom: "198.51.100.7:51413",
      firstInboundVia: "203.0.113.5:40123",
      lastInboundAt: "2026-11-20T10:05:00.000Z",
    });
  });

  it("credits a UDP session to the UDP side and its public address, leaving the TCP fields alone", () => {
    const arrivals = new TunnelArrivals();
    const udpPublic = { ip: "203.0.113.5", port: 40999 };
    const tunnel = view({ samePort: false, publicAddress: udpPublic, reason: "no equal port" });
    arrivals.record(peer("198.51.100.9:6881", "2026-11-20T10:01:00Z", "UDP"), tunnel);
    const entry = arrivals.describe(tunnel, new Date("2026-11-20T10:02:00Z"));
    expect(entry.firstInboundAt).toBeUndefined();
    expect(entry.udp).toEqual({
      state: "OPEN",
      publicAddress: "203.0.113.5:40999",
      localPort: 40123,
      samePort: false,
      reason: "no equal port",
      firstInboundAt: "2026-11-20T10:01:00.000Z",
      firstInboundFrom: "198.51.100.9:6881",
      firstInboundVia: "203.0.113.5:40999",
      lastInboundAt: "2026-11-20T10:01:00.000Z",
    });
    expect(arrivals.has("qb", "UDP")).toBe(true);
    expect(arrivals.has("qb")).toBe(false);
  });

  it("keeps TCP and UDP arrivals apart when both come", () => {
    const arrivals = new TunnelArrivals();
    arrivals.record(peer("198.51.100.7:51413", "2026-11-20T10:00:00Z"), view({}));
    arrivals.record(peer("198.51.100.9:6881", "2026-11-20T10:03:00Z", "UDP"), view({}));
    arrivals.record(peer("198.51.100.7:51414", "2026-11-20T10:04:00Z", "TCP"), view({}));
    const entry = arrivals.describe(view({}), new Date("2026-11-20T10:05:00Z"));
    expect(entry).toMatchObject({
      firstInboundFrom: "198.51.100.7:51413",
      lastInboundAt: "2026-11-20T10:04:00.000Z",
      udp: {
        firstInboundFrom: "198.51.100.9:6881",
        firstInboundVia: "203.0.113.5:40123",
        lastInboundAt: "2026-11-20T10:03:00.000Z",
      },
    });
  });

  it("dates the same-port UDP side from the first look that found it, and forgets it on a break", () => {
    const arrivals = new TunnelArrivals();
    // A TCP peer while the UDP side still searched for an equal port.
    arrivals.record(
      peer("198.51.100.7:51413", "2026-11-20T10:00:00Z"),
      view({ state: "OPENING", samePort: false }),
    );
    arrivals.record(peer("198.51.100.7:51414", "2026-11-20T10:02:00Z"), view({}));
    expect(arrivals.describe(view({}), new Date("2026-11-20T10:30:00Z")).udp?.samePortSince).toBe(
      "2026-11-20T10:02:00.000Z",
    );
    const moved = arrivals.describe(
      view({ state: "RECOVERING", samePort: false }),
      new Date("2026-11-20T10:31:00Z"),
    );
    expect(moved.udp?.samePortSince).toBeUndefined();
    expect(arrivals.describe(view({}), new Date("2026-11-20T10:40:00Z")).udp?.samePortSince).toBe(
      "2026-11-20T10:40:00.000Z",
    );
  });

  it("takes a kernel count as a UDP arrival without inventing who came", () => {
    const arrivals = new TunnelArrivals();
    arrivals.recordCounted("qb", "203.0.113.5:40123", new Date("2026-11-20T11:00:00Z"), "UDP");
    const entry = arrivals.describe(view({}), new Date("2026-11-20T11:00:00Z"));
    expect(entry.udp).toMatchObject({
      firstInboundAt: "2026-11-20T11:00:00.000Z",
      firstInboundVia: "203.0.113.5:40123",
    });
    expect(entry.udp?.firstInboundFrom).toBeUndefined();
    expect(entry.firstInboundAt).toBeUndefined();
  });

  it("forgets a removed tunnel's peers, so a new tunnel of that id starts unproven", () => {
    const arrivals = new TunnelArrivals();
    arrivals.record(peer("198.51.100.7:51413", "2026-11-20T10:00:00Z"), view({}));
    arrivals.record(peer("198.51.100.9:6881", "2026-11-20T10:01:00Z", "UDP"), view({}));
    arrivals.forget("qb");
    const entry = arrivals.describe(view({ state: "OPENING", samePort: false }));
    expect(entry.firstInboundAt).toBeUndefined();
    expect(entry.udp).toEqual({
      state: "OPENING",
      publicAddress: "203.0.113.5:40123",
      localPort: 40123,
      samePort: false,
      reason: "open on the TCP public port",
    });
  });
});
