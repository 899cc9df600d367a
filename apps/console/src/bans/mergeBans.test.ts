import { describe, expect, it } from "vitest";
import {
  applyBanChange,
  firstPage,
  groupBans,
  isExpired,
  nextPage,
  withBan,
  withoutApiBan,
} from "./mergeBans.js";
import type { Ban } from "./types.js";

function ban(cidr: string, createdAt: string, source = "api", expiresAt: string | null = null): Ban {
  return { cidr, reason: null, createdAt, expiresAt, source };
}

describe("groupBans", () => {
  it("separates API bans from the ban-list file's lines, newest first, grouped by file", () => {
    const groups = groupBans([
      ban("10.0.0.0/8", "2026-01-01T00:00:00Z", "file:/etc/autostun/bans.txt"),
      ban("1.2.3.4/32", "2026-01-01T00:00:00Z"),
      ban("5.6.7.8/32", "2026-01-02T00:00:00Z"),
      ban("192.0.2.0/24", "2026-01-01T00:00:00Z", "file:/etc/autostun/bans.txt"),
    ]);
    expect(groups.api.map((b) => b.cidr)).toEqual(["5.6.7.8/32", "1.2.3.4/32"]);
    expect(groups.files).toEqual([
      {
        path: "/etc/autostun/bans.txt",
        bans: [
          ban("10.0.0.0/8", "2026-01-01T00:00:00Z", "file:/etc/autostun/bans.txt"),
          ban("192.0.2.0/24", "2026-01-01T00:00:00Z", "file:/etc/autostun/bans.txt"),
        ],
      },
    ]);
  });
});

describe("withBan / withoutApiBan", () => {
  const file = ban("1.2.3.4/32", "2026-01-01T00:00:00Z", "file:/bans.txt");

  it("replaces an API ban of the same network and leaves the file's line", () => {
    const list = withBan(
      [ban("1.2.3.4/32", "2026-01-01T00:00:00Z"), file],
      ban("1.2.3.4/32", "2026-01-03T00:00:00Z"),
    );
    expect(list).toEqual([ban("1.2.3.4/32", "2026-01-03T00:00:00Z"), file]);
  });

  it("lifts only the API ban on unban: the file's line is not the console's to remove", () => {
    expect(withoutApiBan([ban("1.2.3.4/32", "2026-01-01T00:00:00Z"), file], "1.2.3.4/32")).toEqual([file]);
  });
});

describe("isExpired", () => {
  it("is true once the expiry passed, never for a ban without one", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(isExpired(ban("a", "2026-01-01T00:00:00Z", "api", "2026-01-01T12:00:00Z"), now)).toBe(true);
    expect(isExpired(ban("a", "2026-01-01T00:00:00Z", "api", "2026-01-03T00:00:00Z"), now)).toBe(false);
    expect(isExpired(ban("a", "2026-01-01T00:00:00Z"), now)).toBe(false);
  });
});

describe("paged listing and bansChanged", () => {
  const page = (cidrs: string[], totalCount: number, hasNextPage: boolean) => ({
    totalCount,
    edges: cidrs.map((cidr) => ({ node: ban(cidr, "2026-01-01T00:00:00Z") })),
    pageInfo: { hasNextPage, endCursor: hasNextPage ? `after-${cidrs.at(-1)}` : null },
  });

  it("reads a first page and appends the next without duplicates", () => {
    const first = firstPage(page(["1.1.1.1/32", "2.2.2.2/32"], 3, true));
    expect(first).toMatchObject({ total: 3, hasNextPage: true, endCursor: "after-2.2.2.2/32", stale: false });
    const both = nextPage(first, page(["2.2.2.2/32", "3.3.3.3/32"], 3, false));
    expect(both.bans.map((b) => b.cidr)).toEqual(["1.1.1.1/32", "2.2.2.2/32", "3.3.3.3/32"]);
    expect(both.hasNextPage).toBe(false);
  });

  it("adds and drops the bans a change names, and keeps the total the daemon sent", () => {
    const listing = firstPage(page(["1.1.1.1/32"], 1, false));
    const added = applyBanChange(listing, {
      kind: "ADDED",
      count: 1,
      total: 2,
      bans: [ban("9.9.9.9/32", "2026-01-02T00:00:00Z")],
    });
    expect(added.bans.map((b) => b.cidr)).toEqual(["9.9.9.9/32", "1.1.1.1/32"]);
    expect(added.total).toBe(2);
    const expired = applyBanChange(added, {
      kind: "EXPIRED",
      count: 1,
      total: 1,
      bans: [ban("1.1.1.1/32", "2026-01-01T00:00:00Z")],
    });
    expect(expired.bans.map((b) => b.cidr)).toEqual(["9.9.9.9/32"]);
    expect(expired.stale).toBe(false);
  });

  it("marks the listing stale when a change is too big to list or the file was reloaded", () => {
    const listing = firstPage(page(["1.1.1.1/32"], 1, false));
    expect(applyBanChange(listing, { kind: "ADDED", count: 5000, total: 5001, bans: [] })).toMatchObject({
      stale: true,
      total: 5001,
      bans: listing.bans,
    });
    expect(applyBanChange(listing, { kind: "RELOADED", count: 2, total: 3, bans: [] }).stale).toBe(true);
  });
});
