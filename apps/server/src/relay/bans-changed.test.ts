import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestDaemon } from "../testing/daemon.js";
import { authHeader } from "../testing/known-tokens.js";
import { gql } from "./testing/graphql-client.js";

type Listed = { cidr: string; source: string }[];

/** Collects every bansChanged list and lets the test wait for one that satisfies a condition. */
function watchBans(url: string) {
  const client = createClient({
    url: `${url.replace("http", "ws")}graphql`,
    webSocketImpl: WebSocket,
    connectionParams: authHeader(url),
  });
  const seen: Listed[] = [];
  const waiting: { test: (list: Listed) => boolean; resolve: (list: Listed) => void }[] = [];
  let acknowledged: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  client.on("connected", () => acknowledged());
  client.subscribe<{ bansChanged: Listed }>(
    { query: "subscription { bansChanged { cidr source } }" },
    {
      next: ({ data }) => {
        if (!data) return;
        seen.push(data.bansChanged);
        for (const wait of [...waiting]) {
          if (!wait.test(data.bansChanged)) continue;
          waiting.splice(waiting.indexOf(wait), 1);
          wait.resolve(data.bansChanged);
        }
      },
      error: () => {},
      complete: () => {},
    },
  );
  return {
    seen,
    ready,
    next(test: (list: Listed) => boolean): Promise<Listed> {
      return new Promise((resolve) => waiting.push({ test, resolve }));
    },
    dispose: () => client.dispose(),
  };
}

const cidrs = (list: Listed) => list.map((ban) => ban.cidr).sort();

describe("bansChanged", () => {
  it("sends the whole list after a ban, an unban, an expiry and an edit of the ban-list file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autostun-bans-changed-"));
    const file = join(dir, "bans.txt");
    writeFileSync(file, "203.0.113.0/24\n");
    const daemon = await startTestDaemon({ bans: { file } });
    const bans = watchBans(daemon.url);
    try {
      await bans.ready;
      // The subscription is registered asynchronously after the handshake; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const banned = bans.next((list) => list.some((ban) => ban.cidr === "198.51.100.7/32"));
      await gql(daemon.url, `mutation { ban(cidr: "198.51.100.7", reason: "test") { cidr } }`);
      expect(cidrs(await banned)).toEqual(["198.51.100.7/32", "203.0.113.0/24"]);

      const lifted = bans.next((list) => !list.some((ban) => ban.cidr === "198.51.100.7/32"));
      await gql(daemon.url, `mutation { unban(cidr: "198.51.100.7") }`);
      expect(cidrs(await lifted)).toEqual(["203.0.113.0/24"]);

      const short = bans.next((list) => list.some((ban) => ban.cidr === "192.0.2.0/28"));
      const expired = bans.next((list) => list.length === 1 && list[0]?.cidr === "203.0.113.0/24");
      await gql(daemon.url, `mutation { ban(cidr: "192.0.2.0/28", ttlSeconds: 1) { cidr } }`);
      await short;
      // Nobody asks: the expiry alone publishes the list without the ban.
      expect(cidrs(await expired)).toEqual(["203.0.113.0/24"]);

      const edited = bans.next((list) => list.some((ban) => ban.cidr === "100.64.0.0/10"));
      writeFileSync(file, "100.64.0.0/10  # a whole range\n203.0.113.0/24\n198.18.0.0/15\n");
      const afterEdit = await edited;
      expect(cidrs(afterEdit)).toEqual(["100.64.0.0/10", "198.18.0.0/15", "203.0.113.0/24"]);
      expect(afterEdit.every((ban) => ban.source === `file:${file}`)).toBe(true);
      // Three lines of one edit arrive as one list, not one event per line.
      expect(bans.seen.filter((list) => list.some((ban) => ban.cidr === "100.64.0.0/10"))[0]).toHaveLength(3);
    } finally {
      await bans.dispose();
      await daemon.stop();
    }
  }, 60_000);
});
