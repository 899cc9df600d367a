import type { CheckStore } from "@autostun/extension-host";
import type { RelayManager, TunnelIpv6View, TunnelView } from "@autostun/tunnels";
import { describe, expect, it } from "vitest";
import { createMetricsRegistry } from "./collect.js";
import { parseMetrics, sampleValue } from "./testing/scrape.js";

/** The pinhole series of `/metrics` from a relay manager answering fixed IPv6 views. */

function view(id: string, udp: boolean): TunnelView {
  return { config: { id, udp }, status: { id, state: "OPEN", recoveryCount: 0 } } as TunnelView;
}

function scrapeOf(views: TunnelView[], ipv6: Record<string, TunnelIpv6View>) {
  const relay = {
    list: () => views,
    stats: async () => null,
    udpStats: async () => null,
    ipv6Status: (id: string) => ipv6[id],
  } as unknown as RelayManager;
  const checks = { latest: () => [] } as unknown as CheckStore;
  return createMetricsRegistry({ relay: () => relay, checks: () => checks })
    .metrics()
    .then(parseMetrics);
}

describe("IPv6 pinhole metrics", () => {
  it("shows each transport the router lets in and the lease left", async () => {
    const samples = await scrapeOf([view("qb", true), view("tr", false)], {
      qb: {
        address: "2001:db8::10",
        port: 6881,
        pinhole: { state: "OPEN", tcp: true, udp: true, leaseEndsAt: new Date(Date.now() + 3_000_000) },
      },
      tr: { address: "2001:db8::10", port: 51413, pinhole: { state: "FAILED", tcp: false, udp: false } },
    });
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel: "qb", transport: "tcp" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel: "qb", transport: "udp" }),
    ).toBe(1);
    const lease = sampleValue(samples, "autostun_tunnel_ipv6_pinhole_lease_seconds", { tunnel: "qb" });
    expect(lease).toBeGreaterThan(2990);
    expect(lease).toBeLessThanOrEqual(3000);
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel: "tr", transport: "tcp" }),
    ).toBe(0);
    // Without udp: true no UDP pinhole is asked for, so there is no UDP series to read as closed.
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel: "tr", transport: "udp" }),
    ).toBeUndefined();
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_lease_seconds", { tunnel: "tr" }),
    ).toBeUndefined();
  });

  it("has no pinhole series while none was asked for (upnp off)", async () => {
    const samples = await scrapeOf([view("qb", true)], { qb: { address: "2001:db8::10", port: 6881 } });
    expect(samples.filter((s) => s.name.startsWith("autostun_tunnel_ipv6_"))).toEqual([]);
  });
});
