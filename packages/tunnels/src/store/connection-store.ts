import { type ConnectionRecord, type ConnectionSink, connectionProtocol } from "@autostun/relay";
import { type Db, type WriteGuard, writeGuard } from "@autostun/store";

export type ConnectionOrder = "OPENED_AT" | "BYTES";

export interface ConnectionRetentionSettings {
  maxRows: number;
  maxAgeHours: number;
}

export interface ConnectionPage {
  records: ConnectionRecord[];
  hasNextPage: boolean;
  totalCount: number;
}

/** Where the page continues: the sort key and id of the last record shown. */
export interface ConnectionCursor {
  key: string | number;
  id: string;
}

interface ConnectionRow {
  id: string;
  tunnel_id: string;
  protocol: string;
  remote_address: string;
  proxy_address: string | null;
  opened_at: string;
  closed_at: string | null;
  bytes_in: number;
  bytes_out: number;
  country: string | null;
  city: string | null;
  asn: number | null;
}

/** Closed rows are pruned after this many closes, not on each one: a prune is a scan. */
const PRUNE_EVERY = 200;

const SORT_KEY: Record<ConnectionOrder, string> = {
  OPENED_AT: "opened_at",
  BYTES: "(bytes_in + bytes_out)",
};

/**
 * Connections in SQLite: every live one and the recent closed ones, bounded by `retention`. Fed by the
 * relay's ConnectionTable as a sink (synchronous statements, microseconds each), read by the API.
 */
export class SqliteConnectionStore implements ConnectionSink {
  private readonly insert;
  private readonly change;
  private readonly finish;
  private readonly byProxy;
  private readonly trimOld;
  private readonly trimMany;
  private readonly closeOrphans;
  private closes = 0;
  private closed = false;
  /** A record that cannot be written (full disk) is counted and logged once a minute, never thrown. */
  private readonly guard: WriteGuard;

  constructor(
    private readonly db: Db,
    private readonly retention: ConnectionRetentionSettings,
  ) {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO connections (id, tunnel_id, protocol, remote_address, proxy_address, opened_at,
         closed_at, bytes_in, bytes_out, country, city, asn)
       VALUES (@id, @tunnel_id, @protocol, @remote_address, @proxy_address, @opened_at, @closed_at, @bytes_in,
         @bytes_out, @country, @city, @asn)`,
    );
    this.change = db.prepare(
      `UPDATE connections SET proxy_address = @proxy_address, closed_at = @closed_at, bytes_in = @bytes_in,
         bytes_out = @bytes_out, country = @country, city = @city, asn = @asn WHERE id = @id`,
    );
    this.finish = this.change;
    this.byProxy = db.prepare(
      `SELECT * FROM connections WHERE proxy_address = ? ORDER BY opened_at DESC, id DESC LIMIT 1`,
    );
    this.trimOld = db.prepare(`DELETE FROM connections WHERE closed_at IS NOT NULL AND closed_at < ?`);
    this.trimMany = db.prepare(
      `DELETE FROM connections WHERE id IN (
         SELECT id FROM connections WHERE closed_at IS NOT NULL ORDER BY closed_at DESC, id DESC LIMIT -1 OFFSET ?)`,
    );
    this.closeOrphans = db.prepare(`UPDATE connections SET closed_at = ? WHERE closed_at IS NULL`);
    this.guard = writeGuard(db);
  }

  /**
   * Rows a previous run left open ended when that run did; marks them closed (now, the first moment
   * we know) and applies retention, so listings never show ghosts as live.
   */
  recoverFromLastRun(): number {
    const changed = this.closeOrphans.run(new Date().toISOString()).changes;
    this.prune();
    return changed;
  }

  record(connection: Readonly<ConnectionRecord>): void {
    if (!this.closed) this.guard.record("connection records", () => this.insert.run(toRow(connection)));
  }

  update(connection: Readonly<ConnectionRecord>): void {
    if (!this.closed) this.guard.record("connection records", () => this.change.run(toRow(connection)));
  }

  close(connection: Readonly<ConnectionRecord>): void {
    if (this.closed) return;
    this.guard.record("connection records", () => this.finish.run(toRow(connection)));
    if (++this.closes % PRUNE_EVERY === 0) this.guard.record("connection records", () => this.prune());
  }

  prune(): void {
    const oldest = new Date(Date.now() - this.retention.maxAgeHours * 3_600_000).toISOString();
    this.db.transaction(() => {
      this.trimOld.run(oldest);
      this.trimMany.run(this.retention.maxRows);
    })();
  }

  resolvePeer(proxyAddress: string): ConnectionRecord | undefined {
    const row = this.byProxy.get(proxyAddress) as ConnectionRow | undefined;
    return row && fromRow(row);
  }

  /** Newest (or biggest) first, `first` at a time, continuing after `after`. */
  page(tunnelId: string, order: ConnectionOrder, first: number, after?: ConnectionCursor): ConnectionPage {
    const key = SORT_KEY[order];
    const where = after ? `AND (${key} < @key OR (${key} = @key AND id < @id))` : "";
    const rows = this.db
      .prepare(
        `SELECT * FROM connections WHERE tunnel_id = @tunnelId ${where} ORDER BY ${key} DESC, id DESC LIMIT @limit`,
      )
      .all({
        tunnelId,
        limit: first + 1,
        ...(after ? { key: after.key, id: after.id } : {}),
      }) as ConnectionRow[];
    const totalCount = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM connections WHERE tunnel_id = ?`).get(tunnelId) as {
        n: number;
      }
    ).n;
    return { records: rows.slice(0, first).map(fromRow), hasNextPage: rows.length > first, totalCount };
  }

  /** The cursor value of a record under `order`. */
  static cursorOf(record: Readonly<ConnectionRecord>, order: ConnectionOrder): ConnectionCursor {
    return {
      key: order === "BYTES" ? record.bytesIn + record.bytesOut : record.openedAt.toISOString(),
      id: record.id,
    };
  }

  /** Later writes are dropped: the database closes after the relay, but a late flush must not fail. */
  stop(): void {
    this.closed = true;
  }
}

function toRow(c: Readonly<ConnectionRecord>): ConnectionRow {
  return {
    id: c.id,
    tunnel_id: c.tunnelId,
    protocol: connectionProtocol(c),
    remote_address: c.remoteAddress,
    proxy_address: c.proxyAddress,
    opened_at: c.openedAt.toISOString(),
    closed_at: c.closedAt?.toISOString() ?? null,
    bytes_in: c.bytesIn,
    bytes_out: c.bytesOut,
    country: c.geo?.country ?? null,
    city: c.geo?.city ?? null,
    asn: c.geo?.asn ?? null,
  };
}

function fromRow(row: ConnectionRow): ConnectionRecord {
  const known = row.country !== null || row.city !== null || row.asn !== null;
  return {
    id: row.id,
    tunnelId: row.tunnel_id,
    // Only the two values are ever written; anything else (a hand-edited row) is read as the default.
    protocol: row.protocol === "UDP" ? "UDP" : "TCP",
    remoteAddress: row.remote_address,
    proxyAddress: row.proxy_address,
    openedAt: new Date(row.opened_at),
    closedAt: row.closed_at ? new Date(row.closed_at) : null,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    geo: known ? { country: row.country, city: row.city, asn: row.asn } : null,
  };
}
