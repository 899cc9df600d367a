import { describe, expect, it } from "vitest";
import type { ConnectionRecord, ConnectionSink } from "./connection-record.js";
import { ConnectionTable } from "./connection-table.js";

function record(table: ConnectionTable, proxyAddress: string): ConnectionRecord {
  return {
    id: table.newId(),
    tunnelId: "qb",
    remoteAddress: "198.51.100.7:40000",
    proxyAddress,
    openedAt: new Date(),
    closedAt: null,
    bytesIn: 0,
    bytesOut: 0,
    geo: null,
  };
}

describe("ConnectionTable", () => {
  it("resolves a proxy address in either spelling, and keeps only the newest recent connections", () => {
    const table = new ConnectionTable({ flushIntervalMs: 0, retention: { maxRecent: 2 } });
    const ids: string[] = [];
    for (const port of [1001, 1002, 1003]) {
      const r = record(table, `127.4.5.6:${port}`);
      ids.push(r.id);
      table.open(r, () => ({ bytesIn: 10, bytesOut: 20 }));
    }
    expect(table.resolvePeer("[::ffff:127.4.5.6]:1002")).toMatchObject({
      id: ids[1],
      bytesIn: 10,
      bytesOut: 20,
    });
    for (const id of ids) table.close(id);
    expect(table.resolvePeer("127.4.5.6:1001")).toBeUndefined();
    expect(table.resolvePeer("127.4.5.6:1003")?.closedAt).toBeInstanceOf(Date);
    expect(table.list({ tunnelId: "qb" }).map((r) => r.id)).toEqual([ids[2], ids[1]]);
  });

  it("drops closed connections older than the retention age", () => {
    const table = new ConnectionTable({ flushIntervalMs: 0, retention: { maxAgeMs: 0 } });
    const r = record(table, "127.4.5.6:1001");
    table.open(r, () => ({ bytesIn: 0, bytesOut: 0 }));
    expect(table.resolvePeer("127.4.5.6:1001")?.id).toBe(r.id);
    table.close(r.id);
    expect(table.resolvePeer("127.4.5.6:1001")).toBeUndefined();
  });

  it("tells sinks about every change and survives a failing one", () => {
    const calls: string[] = [];
    const sink: ConnectionSink = {
      record: (c) => calls.push(`record ${c.id}`),
      update: (c) => calls.push(`update ${c.bytesIn}`),
      close: (c) => calls.push(`close ${c.bytesIn}`),
    };
    const broken: ConnectionSink = {
      record: () => {
        throw new Error("disk full");
      },
      update: () => {},
      close: () => {},
    };
    const table = new ConnectionTable({ flushIntervalMs: 0, sinks: [broken, sink] });
    let bytes = 0;
    const r = record(table, "127.4.5.6:1001");
    table.open(r, () => ({ bytesIn: bytes, bytesOut: 0 }));
    bytes = 5;
    table.flush();
    bytes = 9;
    table.close(r.id);
    expect(calls).toEqual([`record ${r.id}`, "update 5", "close 9"]);
  });

  it("marks a record opened without a protocol as TCP, and keeps UDP when given", () => {
    const table = new ConnectionTable({ flushIntervalMs: 0 });
    const events: string[] = [];
    table.onEvent((event) => events.push(`${event.type} ${event.connection.protocol}`));
    const tcp = record(table, "127.4.5.6:1001");
    table.open(tcp, () => ({ bytesIn: 0, bytesOut: 0 }));
    const udp = { ...record(table, "127.4.5.7:1002"), protocol: "UDP" as const };
    table.open(udp, () => ({ bytesIn: 0, bytesOut: 0 }));
    table.close(udp.id);
    expect(table.get(tcp.id)?.protocol).toBe("TCP");
    expect(table.resolvePeer("127.4.5.7:1002")?.protocol).toBe("UDP");
    expect(events).toEqual(["opened TCP", "opened UDP", "closed UDP"]);
  });
});
