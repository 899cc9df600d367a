import type { Ban, BanStore } from "@autostun/relay";
import { type Db, writeGuard } from "@autostun/store";

interface BanRow {
  cidr: string;
  reason: string | null;
  created_at: string;
  expires_at: string | null;
}

/** API bans in SQLite, so a restart keeps them; the relay's BanList decides what is live. */
export class SqliteBanStore implements BanStore {
  private readonly selectAll;
  private readonly upsert;
  private readonly delete;
  private readonly upsertAll;

  /** Writes that fail throw StorageWriteError (code NOT_SAVED): BanList then changes nothing. */
  constructor(private readonly db: Db) {
    this.selectAll = db.prepare(`SELECT cidr, reason, created_at, expires_at FROM bans`);
    this.upsert = db.prepare(
      `INSERT INTO bans (cidr, reason, created_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (cidr) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at,
         expires_at = excluded.expires_at`,
    );
    this.delete = db.prepare(`DELETE FROM bans WHERE cidr = ?`);
    // One transaction for a bulk ban: 10,000 rows are one fsync, not 10,000.
    this.upsertAll = db.transaction((bans: readonly Ban[]) => {
      for (const ban of bans) this.upsert.run(...columns(ban));
    });
  }

  load(): Ban[] {
    return (this.selectAll.all() as BanRow[]).map((row) => ({
      cidr: row.cidr,
      reason: row.reason,
      createdAt: new Date(row.created_at),
      expiresAt: row.expires_at ? new Date(row.expires_at) : null,
      source: "api",
    }));
  }

  save(ban: Ban): void {
    writeGuard(this.db).write("bans", `the ban of ${ban.cidr}`, () => this.upsert.run(...columns(ban)));
  }

  saveMany(bans: readonly Ban[]): void {
    writeGuard(this.db).write("bans", `${bans.length} bans`, () => this.upsertAll(bans));
  }

  remove(cidr: string): void {
    writeGuard(this.db).write("bans", `the unban of ${cidr}`, () => this.delete.run(cidr));
  }
}

function columns(ban: Ban): [string, string | null, string, string | null] {
  return [ban.cidr, ban.reason, ban.createdAt.toISOString(), ban.expiresAt?.toISOString() ?? null];
}
