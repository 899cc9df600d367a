import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionRecord } from "@autostun/relay";
import { openDatabase } from "@autostun/store";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteConnectionStore } from "./connection-store.js";

const RETENTION = { maxRows: 100, maxAgeHours: 24 };
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "autostun-conn-store-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function session(id: string, protocol: ConnectionRecord["protocol"], proxyAddress: string): ConnectionRecord {
  return {
    id,
    tunnelId: "t1",
    ...(protocol ? { protocol } : {}),
    remoteAddress: "198.51.100.7:6881",
    proxyAddress,
    openedAt: new Date("2026-12-07T10:00:00.000Z"),
    closedAt: null,
    bytesIn: 1200,
    bytesOut: 300,
    geo: null,
  };
}

describe("the SQLite connection store and the protocol", () => {
  it("keeps a UDP session UDP across a restart, and a record without a protocol as TCP", () => {
    const dir = dataDir();
    let db = openDatabase(dir);
    let store = new SqliteConnectionStore(db, RETENTION);
    store.record(session("u1", "UDP", "127.9.0.1:40001"));
    store.record(session("t1", undefined, "127.9.0.2:40002"));
    store.record(session("t2", "TCP", "127.9.0.3:40003"));
    // An update carries no protocol change; it must not lose the one recorded.
    store.close({ ...session("u1", "UDP", "127.9.0.1:40001"), closedAt: new Date(), bytesIn: 5000 });
    db.close();

    db = openDatabase(dir);
    store = new SqliteConnectionStore(db, RETENTION);
    expect(store.resolvePeer("127.9.0.1:40001")).toMatchObject({ id: "u1", protocol: "UDP", bytesIn: 5000 });
    expect(store.resolvePeer("127.9.0.2:40002")?.protocol).toBe("TCP");
    expect(store.resolvePeer("127.9.0.3:40003")?.protocol).toBe("TCP");
    const shown = store.page("t1", "OPENED_AT", 10).records.map((r) => [r.id, r.protocol]);
    expect(shown.sort()).toEqual([
      ["t1", "TCP"],
      ["t2", "TCP"],
      ["u1", "UDP"],
    ]);
    db.close();
  });

  it("upgrades a database written before the protocol column, its rows reading as TCP", () => {
    const dir = dataDir();
    // The previous release's schema: today's migrations less the protocol column, at version 2.
    const old = openDatabase(dir);
    old.exec("ALTER TABLE connections DROP COLUMN protocol");
    old.pragma("user_version = 2");
    old
      .prepare(
        `INSERT INTO connections (id, tunnel_id, remote_address, proxy_address, opened_at, bytes_in, bytes_out)
         VALUES ('old', 't1', '203.0.113.5:51000', '127.9.1.1:40010', '2026-12-01T00:00:00.000Z', 10, 20)`,
      )
      .run();
    old.close();

    const db = openDatabase(dir);
    const store = new SqliteConnectionStore(db, RETENTION);
    expect(store.resolvePeer("127.9.1.1:40010")).toMatchObject({
      id: "old",
      protocol: "TCP",
      remoteAddress: "203.0.113.5:51000",
      bytesIn: 10,
    });
    // The upgraded table takes UDP sessions beside the old rows.
    store.record(session("new", "UDP", "127.9.1.2:40011"));
    expect(store.resolvePeer("127.9.1.2:40011")?.protocol).toBe("UDP");
    db.close();
  });
});
