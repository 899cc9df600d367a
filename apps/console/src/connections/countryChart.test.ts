import { describe, expect, it } from "vitest";
import { peersByCountry } from "./countryChart.js";
import type { PeerConnection } from "./types.js";

function peer(id: string, country: string | null, closedAt: string | null = null): PeerConnection {
  return {
    id,
    tunnelId: "qb",
    protocol: "TCP",
    remoteAddress: "88.77.66.5:6881",
    proxyAddress: null,
    openedAt: "2026-01-01T10:00:00.000Z",
    closedAt,
    bytesIn: 0,
    bytesOut: 0,
    geo: country ? { country, city: null, asn: null } : null,
  };
}

describe("peersByCountry", () => {
  it("counts live peers per country, most first, unknown ones under null", () => {
    const list = [
      peer("1", "DE"),
      peer("2", "JP"),
      peer("3", "DE"),
      peer("4", null),
      peer("5", "DE", "2026-01-01T11:00:00Z"),
    ];
    expect(peersByCountry(list)).toEqual([
      { country: "DE", peers: 2 },
      { country: "JP", peers: 1 },
      { country: null, peers: 1 },
    ]);
  });

  it("folds the countries beyond the top into one bar", () => {
    const list = ["AA", "BB", "CC", "DD"].flatMap((code, i) =>
      Array.from({ length: 4 - i }, (_, n) => peer(`${code}${n}`, code)),
    );
    expect(peersByCountry(list, 3)).toEqual([
      { country: "AA", peers: 4 },
      { country: "BB", peers: 3 },
      { country: "*", peers: 3 },
    ]);
  });
});
