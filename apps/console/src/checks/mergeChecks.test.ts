import { describe, expect, it } from "vitest";
import { applySnapshot, mergeChecks, tallyChecks } from "./mergeChecks.js";
import { makeCheck } from "./testChecks.js";

const T0 = "2025-01-01T10:00:00.000Z";
const T1 = "2025-01-01T10:00:01.000Z";
const T2 = "2025-01-01T10:00:02.000Z";
const T3 = "2025-01-01T10:00:03.000Z";

describe("mergeChecks", () => {
  it("replaces a check in place when its event arrives, keeping the others and the order", () => {
    const list = [makeCheck({ id: "nat.type" }), makeCheck({ id: "network.public-ip" })];
    const running = makeCheck({ id: "nat.type", status: "RUNNING", startedAt: T1 });
    const merged = mergeChecks(list, [running]);
    expect(merged.map((c) => [c.id, c.status])).toEqual([
      ["nat.type", "RUNNING"],
      ["network.public-ip", "PENDING"],
    ]);
  });

  it("follows a run from RUNNING to its verdict", () => {
    let list = mergeChecks([], [makeCheck({ id: "a", status: "PASS", startedAt: T0, finishedAt: T1 })]);
    list = mergeChecks(list, [makeCheck({ id: "a", status: "RUNNING", startedAt: T2, finishedAt: null })]);
    expect(list[0]!.status).toBe("RUNNING");
    list = mergeChecks(list, [makeCheck({ id: "a", status: "FAIL", startedAt: T2, finishedAt: T3 })]);
    expect(list[0]!.status).toBe("FAIL");
  });

  it("appends checks it has not seen, in arrival order", () => {
    const merged = mergeChecks([makeCheck({ id: "a" })], [makeCheck({ id: "c" }), makeCheck({ id: "b" })]);
    expect(merged.map((c) => c.id)).toEqual(["a", "c", "b"]);
  });

  it("ignores a record older than the one held, so a late answer cannot undo a live event", () => {
    const live = makeCheck({ id: "a", status: "RUNNING", startedAt: T2 });
    const stale = makeCheck({ id: "a", status: "PASS", startedAt: T0, finishedAt: T1 });
    expect(mergeChecks([live], [stale])[0]!.status).toBe("RUNNING");
  });

  it("takes a record with the same times, as when the daemon re-renders it in another language", () => {
    const english = makeCheck({ id: "a", title: "NAT type", status: "PASS", startedAt: T0, finishedAt: T1 });
    const chinese = { ...english, title: "NAT 类型" };
    expect(mergeChecks([english], [chinese])[0]!.title).toBe("NAT 类型");
  });

  it("returns the same array when nothing changed, so React can skip the render", () => {
    const held = makeCheck({ id: "a", status: "RUNNING", startedAt: T2 });
    const list = [held];
    expect(mergeChecks(list, [])).toBe(list);
    expect(mergeChecks(list, [makeCheck({ id: "a", status: "PASS", finishedAt: T1 })])).toBe(list);
  });

  it("uses the last of several events for one check in one batch", () => {
    const merged = mergeChecks(
      [],
      [
        makeCheck({ id: "a", status: "RUNNING", startedAt: T1 }),
        makeCheck({ id: "a", status: "WARN", startedAt: T1, finishedAt: T2 }),
      ],
    );
    expect(merged).toHaveLength(1);
    expect(merged[0]!.status).toBe("WARN");
  });
});

describe("applySnapshot", () => {
  it("takes the daemon's order and drops checks it no longer has", () => {
    const list = [makeCheck({ id: "gone" }), makeCheck({ id: "b" }), makeCheck({ id: "a" })];
    const snapshot = [makeCheck({ id: "a" }), makeCheck({ id: "b" })];
    expect(applySnapshot(list, snapshot).map((c) => c.id)).toEqual(["a", "b"]);
  });

  it("keeps a held record that is newer than the snapshot's", () => {
    const live = makeCheck({ id: "a", status: "ERROR", startedAt: T2, finishedAt: T3 });
    const snapshot = [makeCheck({ id: "a", status: "PASS", startedAt: T0, finishedAt: T1 })];
    expect(applySnapshot([live], snapshot)[0]!.status).toBe("ERROR");
  });
});

describe("tallyChecks", () => {
  it("counts each state, with RUNNING and PENDING together as in progress", () => {
    const statuses = ["PASS", "PASS", "WARN", "FAIL", "ERROR", "SKIP", "RUNNING", "PENDING"] as const;
    const tally = tallyChecks(statuses.map((status, i) => makeCheck({ id: String(i), status })));
    expect(tally).toEqual({ pass: 2, warn: 1, fail: 1, error: 1, skip: 1, busy: 2 });
  });
});
