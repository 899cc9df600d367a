import { describe, expect, it } from "vitest";
import {
  applyConnectionEvent,
  applyConnectionSnapshot,
  currentRate,
  EMPTY_TABLE,
  pruneClosed,
  RATE_STALE_AFTER_MS,
} from "./mergeConnections.js";
import type { PeerConnection } from "./types.js";

function peer(id: string, bytesIn: number, bytesOut: number, closedAt: string | null = null): PeerConnection {
  return {
    id,
    tunnelId: "qb",
    protocol: "TCP",
    remoteAddress: "88.77.66.5:6881",
    proxyAddress: "127.1.2.3:40000",
    openedAt: "2026-01-01T10:00:00.000Z",
    closedAt,
    bytesIn,
    bytesOut,
    geo: { country: "DE", city: "Berlin", asn: 3320 },
  };
}

describe("connection table", () => {
  it("computes a connection's current rate from the bytes between two events", () => {
    let table = applyConnectionEvent(EMPTY_TABLE, { type: "OPENED", connection: peer("1", 0, 0) }, 1000);
    expect(table.rates.has("1")).toBe(false);
    table = applyConnectionEvent(table, { type: "UPDATED", connection: peer("1", 4000, 2000) }, 3000);
    expect(table.rates.get("1")).toBe(3000);
    table = applyConnectionEvent(table, { type: "UPDATED", connection: peer("1", 4000, 2000) }, 5000);
    expect(table.rates.get("1")).toBe(0);
  });

  it("drops the rate of a closed connection and keeps it as closed", () => {
    let table = applyConnectionEvent(EMPTY_TABLE, { type: "OPENED", connection: peer("1", 0, 0) }, 0);
    table = applyConnectionEvent(table, { type: "UPDATED", connection: peer("1", 100, 0) }, 1000);
    table = applyConnectionEvent(
      table,
      { type: "CLOSED", connection: peer("1", 150, 0, "2026-01-01T10:00:02.000Z") },
      2000,
    );
    expect(table.rates.has("1")).toBe(false);
    expect(table.byId.get("1")?.closedAt).toBe("2026-01-01T10:00:02.000Z");
  });

  it("keeps a live event over an older query answer that arrives after it", () => {
    let table = applyConnectionEvent(EMPTY_TABLE, { type: "UPDATED", connection: peer("1", 800, 800) }, 0);
    table = applyConnectionSnapshot(table, [peer("1", 10, 10), peer("2", 5, 5)], 100);
    expect(table.byId.get("1")?.bytesIn).toBe(800);
    expect(table.byId.get("2")?.bytesIn).toBe(5);
    const closed = applyConnectionEvent(
      table,
      { type: "CLOSED", connection: peer("1", 900, 900, "2026-01-01T10:00:09.000Z") },
      200,
    );
    expect(
      applyConnectionSnapshot(closed, [peer("1", 900, 900)], 300).byId.get("1")?.closedAt,
    ).not.toBeNull();
  });

  it("forgets the oldest closed connections beyond the limit, never live ones", () => {
    let table = applyConnectionSnapshot(
      EMPTY_TABLE,
      [
        peer("old", 1, 1, "2026-01-01T10:00:01.000Z"),
        peer("new", 1, 1, "2026-01-01T10:00:05.000Z"),
        peer("live", 1, 1),
      ],
      0,
    );
    table = pruneClosed(table, 1);
    expect([...table.byId.keys()].sort()).toEqual(["live", "new"]);
  });

  it("reads a connection the daemon stopped reporting as idle", () => {
    let table = applyConnectionEvent(EMPTY_TABLE, { type: "OPENED", connection: peer("1", 0, 0) }, 0);
    table = applyConnectionEvent(table, { type: "UPDATED", connection: peer("1", 5000, 0) }, 5000);
    expect(currentRate(table, "1", 6000)).toBe(1000);
    expect(currentRate(table, "1", 5000 + RATE_STALE_AFTER_MS + 1)).toBe(0);
    expect(currentRate(table, "unknown", 0)).toBe(0);
  });
});
