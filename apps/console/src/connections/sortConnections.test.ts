import { describe, expect, it } from "vitest";
import { DEFAULT_SORT, pageOf, sortConnections, toggleSort } from "./sortConnections.js";
import type { PeerConnection } from "./types.js";

function peer(id: string, openedAt: string, bytesIn: number, bytesOut: number): PeerConnection {
  return {
    id,
    tunnelId: "qb",
    protocol: "TCP",
    remoteAddress: `88.77.66.${id.length}:6881`,
    proxyAddress: null,
    openedAt,
    closedAt: null,
    bytesIn,
    bytesOut,
    geo: null,
  };
}

const list = [
  peer("a", "2026-01-01T10:00:00.000Z", 10, 10),
  peer("b", "2026-01-01T12:00:00.000Z", 500, 0),
  peer("c", "2026-01-01T11:00:00.000Z", 0, 5),
];
const ids = (rows: readonly PeerConnection[]) => rows.map((row) => row.id);

describe("sortConnections", () => {
  it("shows the newest first by default", () => {
    expect(ids(sortConnections(list, DEFAULT_SORT))).toEqual(["b", "c", "a"]);
  });

  it("sorts by bytes both ways together, either direction", () => {
    expect(ids(sortConnections(list, { key: "bytes", direction: "desc" }))).toEqual(["b", "a", "c"]);
    expect(ids(sortConnections(list, { key: "bytes", direction: "asc" }))).toEqual(["c", "a", "b"]);
  });

  it("sorts by current rate, counting a connection without one as idle", () => {
    const rates = new Map([["c", 900]]);
    expect(ids(sortConnections(list, { key: "rate", direction: "desc" }, rates))[0]).toBe("c");
  });

  it("keeps rows with equal values in a stable order by id", () => {
    const same = [peer("z", "2026-01-01T10:00:00.000Z", 1, 1), peer("y", "2026-01-01T10:00:00.000Z", 1, 1)];
    expect(ids(sortConnections(same, { key: "bytes", direction: "desc" }))).toEqual(["y", "z"]);
    expect(ids(sortConnections(same, { key: "bytes", direction: "asc" }))).toEqual(["y", "z"]);
  });

  it("does not reorder the list it was given", () => {
    sortConnections(list, { key: "bytes", direction: "asc" });
    expect(ids(list)).toEqual(["a", "b", "c"]);
  });
});

describe("toggleSort", () => {
  it("flips the direction of the current column and starts a new one descending", () => {
    expect(toggleSort(DEFAULT_SORT, "opened")).toEqual({ key: "opened", direction: "asc" });
    expect(toggleSort({ key: "opened", direction: "asc" }, "bytes")).toEqual({
      key: "bytes",
      direction: "desc",
    });
  });
});

describe("pageOf", () => {
  it("cuts pages and keeps the page number inside the list", () => {
    const numbers = Array.from({ length: 7 }, (_, i) => i);
    expect(pageOf(numbers, 1, 3)).toEqual({ rows: [3, 4, 5], page: 1, pages: 3 });
    expect(pageOf(numbers, 9, 3)).toEqual({ rows: [6], page: 2, pages: 3 });
    expect(pageOf([], 0, 3)).toEqual({ rows: [], page: 0, pages: 1 });
  });
});
