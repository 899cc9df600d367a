import { describe, expect, it } from "vitest";
import {
  type ConnectionState,
  initialConnectionState,
  type LinkEvent,
  nextConnectionState,
  OFFLINE_AFTER_FAILURES,
} from "./connectionState.js";

function replay(events: LinkEvent[], from: ConnectionState = initialConnectionState): ConnectionState {
  return events.reduce(nextConnectionState, from);
}

const drop: LinkEvent = { type: "closed", fatal: false };

describe("nextConnectionState", () => {
  it("is live once connected", () => {
    expect(replay([{ type: "connecting" }, { type: "connected" }]).phase).toBe("live");
  });

  it("says reconnecting, not offline, after one dropped socket", () => {
    const state = replay([{ type: "connected" }, drop, { type: "connecting" }]);
    expect(state.phase).toBe("reconnecting");
  });

  it("says offline after repeated failed attempts, and live again when one succeeds", () => {
    const failures: LinkEvent[] = [];
    for (let i = 0; i < OFFLINE_AFTER_FAILURES; i++) failures.push({ type: "connecting" }, drop);
    const down = replay([{ type: "connected" }, drop, ...failures]);
    expect(down.phase).toBe("offline");
    // Retries go on in the background; an attempt alone does not claim recovery.
    expect(nextConnectionState(down, { type: "connecting" }).phase).toBe("offline");
    expect(nextConnectionState(down, { type: "connected" }).phase).toBe("live");
  });

  it("says offline at once when the closure will not be retried", () => {
    expect(replay([{ type: "connected" }, { type: "closed", fatal: true }]).phase).toBe("offline");
  });

  it("keeps saying connecting while a first connection has not yet succeeded", () => {
    expect(replay([{ type: "connecting" }, drop, { type: "connecting" }]).phase).toBe("connecting");
  });
});
