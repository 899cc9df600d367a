import { describe, expect, it } from "vitest";
import { MAX_BAN_REASON_LENGTH } from "./ban.js";
import { parseBanFile } from "./ban-file.js";
import { BanList, InvalidBanError } from "./ban-list.js";

describe("reason length", () => {
  it("keeps a file line's ban with its reason cut to the limit, and reports the line", () => {
    const long = "r".repeat(MAX_BAN_REASON_LENGTH + 40);
    const { bans, problems } = parseBanFile(`192.0.2.1 # short\n192.0.2.2 # ${long}\n`, "/etc/bans.txt");
    expect(bans).toEqual([
      { cidr: "192.0.2.1/32", reason: "short" },
      { cidr: "192.0.2.2/32", reason: "r".repeat(MAX_BAN_REASON_LENGTH) },
    ]);
    expect(problems).toEqual([
      expect.objectContaining({
        where: "/etc/bans.txt:2",
        kept: true,
        message: expect.stringMatching(/540 characters.*500/),
      }),
    ]);
  });

  it("refuses an API ban whose reason is too long, storing nothing", async () => {
    const bans = new BanList();
    await expect(bans.ban({ cidr: "192.0.2.1", reason: "x".repeat(501) })).rejects.toThrow(InvalidBanError);
    expect(bans.size).toBe(0);
    bans.dispose();
  });

  it("bans a list in one go, reporting bad entries by index and keeping the good ones", async () => {
    const bans = new BanList();
    const outcome = await bans.banMany([{ cidr: "192.0.2.1" }, { cidr: "nope" }, { cidr: "192.0.2.0/24" }]);
    expect(outcome.bans.map((b) => b.cidr)).toEqual(["192.0.2.1/32", "192.0.2.0/24"]);
    expect(outcome.errors).toEqual([expect.objectContaining({ index: 1, cidr: "nope" })]);
    expect(bans.page(1, 0)).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = bans.page(1, bans.seqOf("192.0.2.1"));
    expect(second.items.map((i) => i.ban.cidr)).toEqual(["192.0.2.0/24"]);
    expect(second).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    bans.dispose();
  });
});
