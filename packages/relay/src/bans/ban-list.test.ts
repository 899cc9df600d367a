import { describe, expect, it, vi } from "vitest";
import { type Ban, MemoryBanStore } from "./ban.js";
import { type BanEvent, BanList, InvalidBanError } from "./ban-list.js";

describe("BanList", () => {
  it("matches IPv4, IPv6 and IPv4-mapped peers, most specific ban first", async () => {
    const bans = new BanList();
    await bans.ban({ cidr: "203.0.113.0/24", reason: "range" });
    await bans.ban({ cidr: "203.0.113.7", reason: "host" });
    await bans.ban({ cidr: "2001:db8:abcd::/48" });
    expect(bans.match("203.0.113.7")?.reason).toBe("host");
    expect(bans.match("203.0.113.8")?.reason).toBe("range");
    expect(bans.match("::ffff:203.0.113.9")?.cidr).toBe("203.0.113.0/24");
    expect(bans.match("2001:db8:abcd:1::5")?.cidr).toBe("2001:db8:abcd::/48");
    expect(bans.match("2001:db8:abce::1")).toBeUndefined();
    expect(bans.match("198.51.100.1")).toBeUndefined();
    bans.dispose();
  });

  it("refuses a malformed network with the reason", async () => {
    const bans = new BanList();
    await expect(bans.ban({ cidr: "10.1.2.3/8" })).rejects.toThrow(InvalidBanError);
    await expect(bans.ban({ cidr: "10.1.2.3/8" })).rejects.toThrow(/did you mean 10\.0\.0\.0\/8/);
    await expect(bans.ban({ cidr: "not-an-ip" })).rejects.toThrow(/not an IPv4 or IPv6 address/);
    await expect(bans.ban({ cidr: "10.0.0.0/8", ttlSeconds: -1 })).rejects.toThrow(/ttlSeconds/);
    expect(bans.size).toBe(0);
  });

  it("announces bans and unbans, and lifts a ban when its TTL passes", async () => {
    const bans = new BanList();
    const events: string[] = [];
    bans.onChange((event: BanEvent) => events.push(`${event.type} ${event.ban.cidr}`));
    const { ban } = await bans.ban({ cidr: "198.51.100.0/24", ttlSeconds: 0.1 });
    expect(ban.expiresAt).toBeInstanceOf(Date);
    expect(bans.match("198.51.100.1")).toBeDefined();
    await vi.waitFor(() => expect(events).toContain("unbanned 198.51.100.0/24"));
    expect(bans.match("198.51.100.1")).toBeUndefined();
    await bans.ban({ cidr: "192.0.2.1" });
    expect((await bans.unban("192.0.2.1/32")).removed).toBe(true);
    expect((await bans.unban("192.0.2.1/32")).removed).toBe(false);
    expect(events).toEqual([
      "banned 198.51.100.0/24",
      "unbanned 198.51.100.0/24",
      "banned 192.0.2.1/32",
      "unbanned 192.0.2.1/32",
    ]);
    bans.dispose();
  });

  it("persists API bans and restores them, minus those that expired meanwhile", async () => {
    const store = new MemoryBanStore();
    const first = new BanList({ store });
    await first.ban({ cidr: "192.0.2.0/24", reason: "kept" });
    first.dispose();
    const stale: Ban = {
      cidr: "198.51.100.0/24",
      reason: "old",
      createdAt: new Date(0),
      expiresAt: new Date(1000),
      source: "api",
    };
    store.save(stale);
    const second = new BanList({ store });
    await second.load();
    expect(second.list().map((b) => b.cidr)).toEqual(["192.0.2.0/24"]);
    expect(store.load().map((b) => b.cidr)).toEqual(["192.0.2.0/24"]);
    second.dispose();
  });
});

describe("BanList with a ban longer than a Node timer can wait", () => {
  it("stays idle for a 30-day ban and still lifts it when it is due", () => {
    vi.useFakeTimers();
    const setTimeoutCalls = vi.spyOn(globalThis, "setTimeout");
    const bans = new BanList();
    try {
      const day = 24 * 3600;
      void bans.ban({ cidr: "203.0.113.0/24", ttlSeconds: 30 * day });
      setTimeoutCalls.mockClear();
      // Node fires a timer over 2^31-1 ms after 1 ms: re-arming it each time would spin a core.
      vi.advanceTimersByTime(5_000);
      expect(setTimeoutCalls.mock.calls.length).toBeLessThan(3);

      vi.advanceTimersByTime(30 * day * 1000 - 10_000);
      expect(bans.match("203.0.113.9")?.cidr).toBe("203.0.113.0/24");
      vi.advanceTimersByTime(10_000);
      expect(bans.match("203.0.113.9")).toBeUndefined();
      expect(setTimeoutCalls.mock.calls.length).toBeLessThan(5);
    } finally {
      bans.dispose();
      setTimeoutCalls.mockRestore();
      vi.useRealTimers();
    }
  });

  it("changes nothing when the store refuses a write: the caller gets the store's error", async () => {
    const store = new MemoryBanStore();
    const bans = new BanList({ store });
    await bans.ban({ cidr: "198.51.100.1", reason: "kept" });
    const full = new Error("the disk is full");
    vi.spyOn(store, "save").mockImplementation(() => {
      throw full;
    });
    vi.spyOn(store, "remove").mockImplementation(() => {
      throw full;
    });
    await expect(bans.ban({ cidr: "198.51.100.2" })).rejects.toBe(full);
    await expect(bans.ban({ cidr: "198.51.100.1", reason: "replaced" })).rejects.toBe(full);
    await expect(bans.banMany([{ cidr: "198.51.100.3" }])).rejects.toBe(full);
    await expect(bans.unban("198.51.100.1")).rejects.toBe(full);
    expect(bans.list().map((ban) => [ban.cidr, ban.reason])).toEqual([["198.51.100.1/32", "kept"]]);
    expect(bans.match("198.51.100.2")).toBeUndefined();
  });
});
