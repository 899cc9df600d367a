import type { TunnelConfig } from "@autostun/config";
import { type Db, writeGuard } from "@autostun/store";

/** Tunnels created through the API, kept as validated config so a restart brings them back. */
export class SavedTunnelStore {
  private readonly selectAll;
  private readonly upsert;
  private readonly delete;

  constructor(private readonly db: Db) {
    this.selectAll = db.prepare(`SELECT config FROM saved_tunnels ORDER BY saved_at, id`);
    this.upsert = db.prepare(
      `INSERT INTO saved_tunnels (id, config, saved_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET config = excluded.config`,
    );
    this.delete = db.prepare(`DELETE FROM saved_tunnels WHERE id = ?`);
  }

  /** Raw rows: the caller validates each again, since the schema may have grown stricter since. */
  list(): unknown[] {
    return (this.selectAll.all() as { config: string }[]).map((row) => JSON.parse(row.config) as unknown);
  }

  /** Throws StorageWriteError (code NOT_SAVED) when the disk refused it. */
  save(tunnel: TunnelConfig): void {
    writeGuard(this.db).write("saved tunnels", `tunnel ${tunnel.id}`, () =>
      this.upsert.run(tunnel.id, JSON.stringify(tunnel), new Date().toISOString()),
    );
  }

  remove(id: string): boolean {
    return writeGuard(this.db).write(
      "saved tunnels",
      `the deletion of tunnel ${id}`,
      () => this.delete.run(id).changes > 0,
    );
  }
}
