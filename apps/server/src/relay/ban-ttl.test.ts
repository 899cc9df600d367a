import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { gql } from "./testing/graphql-client.js";

describe("ban lifetimes through the API", () => {
  it("accepts a ban of months, keeps it, and refuses more than ten years with the limit in words", async () => {
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-ban-ttl-")),
      stun: { udp: [], tcp: [] },
    });
    try {
      const ninetyDays = 90 * 24 * 3600;
      const before = Date.now();
      const long = await gql<{ ban: { cidr: string; expiresAt: string } }>(
        daemon.url,
        `mutation ($t: Int) { ban(cidr: "198.51.100.0/24", ttlSeconds: $t) { cidr expiresAt } }`,
        { t: ninetyDays },
      );
      expect(long.errors).toBeUndefined();
      const expires = Date.parse(long.data?.ban.expiresAt ?? "");
      expect(expires - before).toBeGreaterThanOrEqual(ninetyDays * 1000 - 5_000);
      expect(expires - before).toBeLessThanOrEqual(ninetyDays * 1000 + 5_000);

      const tooLong = await gql(
        daemon.url,
        `mutation ($t: Int) { ban(cidr: "192.0.2.1", ttlSeconds: $t) { cidr } }`,
        {
          t: 11 * 365 * 24 * 3600,
        },
      );
      expect(tooLong.errors?.[0]?.extensions?.code).toBe("INVALID_BAN");
      expect(tooLong.errors?.[0]?.message).toContain("10 years");

      const bans = await gql<{ bans: { cidr: string }[] }>(daemon.url, `{ bans { cidr } }`);
      expect(bans.data?.bans.map((b) => b.cidr)).toEqual(["198.51.100.0/24"]);
    } finally {
      await daemon.stop();
    }
  }, 30_000);
});
