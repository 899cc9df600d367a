import { describe, expect, it } from "vitest";
import type { Ban } from "../bans/types.js";
import { initialLiveState, liveReducer } from "./liveState.js";

const ban = (cidr: string, source = "api"): Ban => ({
  cidr,
  reason: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  expiresAt: null,
  source,
});

describe("liveReducer", () => {
  it("loads, follows bansChanged lists, and keeps what it showed when a reload fails", () => {
    let state = initialLiveState<readonly Ban[]>([]);
    expect(state).toEqual({ value: [], loading: true, loadError: null });

    state = liveReducer(state, { type: "loaded", fold: () => [ban("198.51.100.7/32")] });
    expect(state).toEqual({ value: [ban("198.51.100.7/32")], loading: false, loadError: null });

    // A ban that ran out on the daemon: its next list no longer has it.
    state = liveReducer(state, { type: "changed", fold: () => [ban("203.0.113.0/24", "file:/b")] });
    expect(state.value.map((b) => b.cidr)).toEqual(["203.0.113.0/24"]);

    state = liveReducer(state, { type: "failed", error: "connection refused" });
    expect(state).toEqual({
      value: [ban("203.0.113.0/24", "file:/b")],
      loading: false,
      loadError: "connection refused",
    });

    state = liveReducer(state, { type: "loaded", fold: (held) => held });
    expect(state.loadError).toBeNull();
  });

  it("an event that arrives before the first answer is kept and the answer folds into it", () => {
    let state = initialLiveState<readonly string[]>([]);
    state = liveReducer(state, { type: "changed", fold: (held) => [...held, "event"] });
    expect(state.loading).toBe(true);
    state = liveReducer(state, { type: "loaded", fold: (held) => [...held, "answer"] });
    expect(state).toEqual({ value: ["event", "answer"], loading: false, loadError: null });
  });
});
