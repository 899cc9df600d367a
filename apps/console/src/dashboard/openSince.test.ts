import { describe, expect, it } from "vitest";
import { openSince, turnedOpen } from "./openSince.js";

describe("turnedOpen", () => {
  it("names tunnels the page saw turn OPEN, not ones it first met open", () => {
    const before = new Map([
      ["a", "OPENING"],
      ["b", "OPEN"],
      ["c", "RECOVERING"],
    ]);
    const now = [
      { id: "a", state: "OPEN" },
      { id: "b", state: "OPEN" },
      { id: "c", state: "RECOVERING" },
      { id: "new", state: "OPEN" },
    ];
    expect(turnedOpen(before, now)).toEqual(["a"]);
  });
});

describe("openSince", () => {
  it("prefers the moment the page saw it open, then the last recovery, and knows nothing else", () => {
    const recovered = { state: "OPEN", lastRecoveryAt: "2026-01-01T10:00:00.000Z" };
    expect(openSince(recovered, 5)).toBe(5);
    expect(openSince(recovered, undefined)).toBe(Date.parse("2026-01-01T10:00:00.000Z"));
    expect(openSince({ state: "OPEN", lastRecoveryAt: null }, undefined)).toBeNull();
    expect(openSince({ state: "STOPPED", lastRecoveryAt: null }, 5)).toBeNull();
  });
});

describe("openSince from the daemon", () => {
  it("wins over what the page saw, so a tunnel open before the page loaded has its uptime", () => {
    const tunnel = {
      state: "OPEN",
      openSince: "2026-01-01T08:00:00.000Z",
      lastRecoveryAt: "2026-01-01T10:00:00.000Z",
    };
    expect(openSince(tunnel, undefined)).toBe(Date.parse("2026-01-01T08:00:00.000Z"));
    expect(openSince(tunnel, Date.parse("2026-01-02T00:00:00.000Z"))).toBe(
      Date.parse("2026-01-01T08:00:00.000Z"),
    );
    // A daemon that answers null for a tunnel that is not OPEN: no uptime, whatever the page saw.
    expect(openSince({ state: "RECOVERING", openSince: null, lastRecoveryAt: null }, 5)).toBeNull();
    // OPEN with a null openSince only comes from a daemon that lacks it: fall back to the page's guess.
    expect(openSince({ state: "OPEN", openSince: null, lastRecoveryAt: null }, 5)).toBe(5);
  });
});
