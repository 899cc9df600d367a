import { afterEach, describe, expect, it, vi } from "vitest";
import { type Held, Tarpit } from "./tarpit.js";
import { TokenGate } from "./token-gate.js";

afterEach(() => void vi.useRealTimers());

const delayOf = (held: Held) => (held.held ? held.delayMs : -1);

describe("Tarpit", () => {
  it("holds each wrong token longer than the last from the same client, up to a cap", () => {
    const tarpit = new Tarpit({ baseDelayMs: 1_000, maxDelayMs: 4_000 });
    const delays = Array.from({ length: 5 }, () => delayOf(tarpit.hold("10.0.0.9")));
    expect(delays).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    expect(delayOf(tarpit.hold("10.0.0.10"))).toBe(1_000);
    tarpit.releaseAll();
  });

  it("answers busy at once when it holds maxHeld, and has room again once they are answered", async () => {
    vi.useFakeTimers();
    const tarpit = new Tarpit({ maxHeld: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 });
    const held = Array.from({ length: 3 }, () => tarpit.hold("10.0.0.9"));
    expect(held.every((h) => h.held)).toBe(true);
    expect(tarpit.hold("10.0.0.9")).toEqual({ held: false, retryAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(tarpit.held).toBe(0);
    expect(tarpit.hold("10.0.0.9").held).toBe(true);
    tarpit.releaseAll();
  });

  it("starts a client afresh after a long quiet spell", () => {
    let now = 1_000_000;
    const tarpit = new Tarpit({ forgetAfterMs: 60_000, now: () => now });
    tarpit.hold("10.0.0.9");
    tarpit.hold("10.0.0.9");
    now += 60_001;
    expect(tarpit.hold("10.0.0.9")).toMatchObject({ failures: 1 });
    tarpit.releaseAll();
  });

  it("remembers at most maxEntries clients, forgetting the stalest first", () => {
    const tarpit = new Tarpit({ maxEntries: 100, maxHeld: 0 });
    for (let i = 0; i < 1_000; i++) tarpit.hold(`10.0.${i >> 8}.${i & 255}`);
    expect(tarpit.size).toBe(100);
  });

  it("counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4 address", () => {
    expect(Tarpit.clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(Tarpit.clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(Tarpit.clientKey("2001:db8::5")).toBe("2001:db8:0:0::/64");
    expect(Tarpit.clientKey("::1")).toBe("0:0:0:0::/64");
    expect(Tarpit.clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(Tarpit.clientKey("192.0.2.7")).toBe("192.0.2.7");
    expect(Tarpit.clientKey(undefined)).toBe("unknown");
  });
});

describe("TokenGate", () => {
  it("admits the right token at once even while the same address's wrong ones are held or refused busy", async () => {
    vi.useFakeTimers();
    const gate = new TokenGate("the-right-token-0123", "/data/api-token", new Tarpit({ maxHeld: 2 }));
    const wrong = [gate.admit("127.0.0.1", "Bearer a"), gate.admit("127.0.0.1", "Bearer b")];
    expect(await gate.admit("127.0.0.1", "Bearer c")).toMatchObject({ ok: false, reason: "busy" });
    expect(await gate.admit("127.0.0.1", "Bearer the-right-token-0123")).toEqual({ ok: true });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await Promise.all(wrong)).toEqual([
      { ok: false, reason: "wrong" },
      { ok: false, reason: "wrong" },
    ]);
  });

  it("says where the token is without the token, and answers a missing one at once", async () => {
    const gate = new TokenGate("the-right-token-0123", "/data/api-token");
    const missing = await gate.admit("127.0.0.1", undefined);
    expect(missing).toEqual({ ok: false, reason: "missing" });
    if (missing.ok) return;
    expect(gate.message(missing)).toContain("/data/api-token");
    expect(gate.message(missing)).not.toContain("the-right-token-0123");
  });
});
