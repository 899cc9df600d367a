import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestDaemon } from "../testing/daemon.js";
import { authHeader } from "../testing/known-tokens.js";
import { gql } from "./testing/graphql-client.js";

interface Change {
  kind: string;
  count: number;
  total: number;
  bans: { cidr: string; source: string }[];
}

/** Collects every bansChanged event and lets the test wait for one that satisfies a condition. */
function watchBans(url: string) {
  const client = createClient({
    url: `${url.replace("http", "ws")}graphql`,
    webSocketImpl: WebSocket,
    connectionParams: authHeader(url),
  });
  const seen: Change[] = [];
  const waiting: { test: (change: Change) => boolean; resolve: (change: Change) => void }[] = [];
  let acknowledged: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  client.on("connected", () => acknowledged());
  client.subscribe<{ bansChanged: Change }>(
    { query: "subscription { bansChanged { kind count total bans { cidr source } } }" },
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
    next(test: (change: Change) => boolean): Promise<Change> {
      return new Promise((resolve) => waiting.push({ test, resolve }));
    },
    dispose: () => client.dispose(),
  };
}

const cidrs = (change: Change) => change.bans.map((ban) => ban.cidr).sort();

describe("bansChanged", () => {
  it("sends the change, not the list, after a ban, an unban, an expiry and an edit of the ban-list file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autostun-bans-changed-"));
    const file = join(dir, "bans.txt");
    writeFileSync(file, "203.0.113.0/24\n");
    const daemon = await startTestDaemon({ bans: { file } });
    const bans = watchBans(daemon.url);
    try {
      await bans.ready;
      // The subscription is registered asynchronously after the handshake; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const banned = bans.next((change) => change.kind === "ADDED");
      await gql(daemon.url, `mutation { ban(cidr: "198.51.100.7", reason: "test") { cidr } }`);
      expect(await banned).toEqual({
        kind: "ADDED",
        count: 1,
        total: 2,
        bans: [{ cidr: "198.51.100.7/32", source: "api" }],
      });

      const lifted = bans.next((change) => change.kind === "REMOVED");
      await gql(daemon.url, `mutation { unban(cidr: "198.51.100.7") }`);
      expect(await lifted).toMatchObject({ count: 1, total: 1 });
      expect(cidrs(await lifted)).toEqual(["198.51.100.7/32"]);

      const short = bans.next((change) => change.kind === "ADDED" && cidrs(change)[0] === "192.0.2.0/28");
      const expired = bans.next((change) => change.kind === "EXPIRED");
      await gql(daemon.url, `mutation { ban(cidr: "192.0.2.0/28", ttlSeconds: 1) { cidr } }`);
      await short;
      // Nobody asks: the expiry alone publishes the change.
      const gone = await expired;
      expect(cidrs(gone)).toEqual(["192.0.2.0/28"]);
      expect(gone.total).toBe(1);

      const edited = bans.next((change) => change.kind === "RELOADED");
      writeFileSync(file, "100.64.0.0/10  # a whole range\n203.0.113.0/24\n198.18.0.0/15\n");
      // Two new lines of one edit arrive as one event that says how many, for the client to re-read.
      expect(await edited).toEqual({ kind: "RELOADED", count: 2, total: 3, bans: [] });
      expect(bans.seen.filter((change) => change.kind === "RELOADED")).toHaveLength(1);
    } finally {
      await bans.dispose();
      await daemon.stop();
    }
  }, 60_000);
});
