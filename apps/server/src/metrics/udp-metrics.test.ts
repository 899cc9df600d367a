import type { CheckStore } from "@autostun/extension-host";
import type { RelayManager, TunnelUdpStats, TunnelUdpView, TunnelView } from "@autostun/tunnels";
import { describe, expect, it } from "vitest";
import { createMetricsRegistry } from "./collect.js";
import { parseMetrics, sampleValue } from "./testing/scrape.js";

/**
 * The UDP series of `/metrics` from a relay manager that answers fixed views and UDP stats (the real
 * daemon's scrape is in metrics.test.ts; its UDP side waits for the engine's wiring).
 */

function udpView(change: Partial<TunnelUdpView>): TunnelUdpView {
  return {
    state: "OPEN",
    reason: "UDP holds the TCP public port",
    publicAddress: { ip: "203.0.113.7", port: 40001 },
    localPort: 40001,
    samePort: true,
    lastKeepaliveAt: new Date(),
    ...change,
  };
}

function view(id: string, udp: TunnelUdpView | undefined): TunnelView {
  return {
    config: { id },
    status: { id, state: "OPEN", recoveryCount: 0 },
    ...(udp ? { udp } : {}),
  } as TunnelView;
}

const STATS: TunnelUdpStats = {
  active: 4,
  handled: 19,
  blocked: 3,
  dropped: 2,
  bytesIn: 5000,
  bytesOut: 7000,
};

function scrapeOf(views: TunnelView[], stats: Record<string, TunnelUdpStats | Error>) {
  const relay = {
    list: () => views,
    stats: async () => null,
    ipv6Status: () => undefined,
    udpStats: async (id: string) => {
      const answer = stats[id];
      if (answer instanceof Error) throw answer;
      return answer ?? null;
    },
  } as unknown as RelayManager;
  const checks = { latest: () => [] } as unknown as CheckStore;
  const registry = createMetricsRegistry({ relay: () => relay, checks: () => checks });
  return registry.metrics().then(parseMetrics);
}

describe("UDP metrics", () => {
  it("shows the UDP state, same port, public port and every counter of a tunnel whose UDP side forwards", async () => {
    const samples = await scrapeOf([view("qb", udpView({}))], { qb: STATS });
    expect(sampleValue(samples, "autostun_tunnel_udp_state", { tunnel: "qb", state: "OPEN" })).toBe(1);
    expect(sampleValue(samples, "autostun_tunnel_udp_state", { tunnel: "qb", state: "FAILED" })).toBe(0);
    expect(sampleValue(samples, "autostun_tunnel_udp_same_port", { tunnel: "qb" })).toBe(1);
    expect(sampleValue(samples, "autostun_tunnel_udp_public_port", { tunnel: "qb" })).toBe(40001);
    expect(sampleValue(samples, "autostun_tunnel_udp_sessions_active", { tunnel: "qb" })).toBe(4);
    expect(sampleValue(samples, "autostun_tunnel_udp_sessions_handled_total", { tunnel: "qb" })).toBe(19);
    expect(sampleValue(samples, "autostun_tunnel_udp_datagrams_blocked_total", { tunnel: "qb" })).toBe(3);
    expect(sampleValue(samples, "autostun_tunnel_udp_datagrams_dropped_total", { tunnel: "qb" })).toBe(2);
    expect(sampleValue(samples, "autostun_tunnel_udp_bytes_in_total", { tunnel: "qb" })).toBe(5000);
    expect(sampleValue(samples, "autostun_tunnel_udp_bytes_out_total", { tunnel: "qb" })).toBe(7000);
  });

  it("shows 0 for same port when UDP landed elsewhere, and no counters rather than zeros when none are known", async () => {
    const elsewhere = udpView({
      state: "FAILED",
      samePort: false,
      publicAddress: { ip: "203.0.113.7", port: 38811 },
    });
    const samples = await scrapeOf([view("tr", elsewhere)], {});
    expect(sampleValue(samples, "autostun_tunnel_udp_state", { tunnel: "tr", state: "FAILED" })).toBe(1);
    expect(sampleValue(samples, "autostun_tunnel_udp_same_port", { tunnel: "tr" })).toBe(0);
    expect(sampleValue(samples, "autostun_tunnel_udp_public_port", { tunnel: "tr" })).toBe(38811);
    expect(sampleValue(samples, "autostun_tunnel_udp_sessions_active", { tunnel: "tr" })).toBeUndefined();
    expect(sampleValue(samples, "autostun_tunnel_udp_bytes_in_total", { tunnel: "tr" })).toBeUndefined();
  });

  it("has no UDP series for a tunnel with udp: false, and a failing stats read costs only that tunnel", async () => {
    const samples = await scrapeOf([view("tcp-only", undefined), view("qb", udpView({}))], {
      "tcp-only": new Error("no UDP side"),
      qb: STATS,
    });
    expect(
      samples.filter((s) => s.name.startsWith("autostun_tunnel_udp_") && s.labels.tunnel === "tcp-only"),
    ).toEqual([]);
    expect(sampleValue(samples, "autostun_tunnel_udp_sessions_handled_total", { tunnel: "qb" })).toBe(19);
  });
});
