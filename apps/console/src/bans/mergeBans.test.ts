import { describe, expect, it } from "vitest";
import { groupBans, isExpired, withBan, withoutApiBan } from "./mergeBans.js";
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
