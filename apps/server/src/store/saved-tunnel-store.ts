import type { TunnelConfig } from "../config/schema.js";
import type { Db } from "./database.js";

/** Tunnels created through the API, kept as validated config so a restart brings them back. */
export class SavedTunnelStore {
  private readonly selectAll;
  private readonly upsert;
  private readonly delete;

  constructor(db: Db) {
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

  save(tunnel: TunnelConfig): void {
    this.upsert.run(tunnel.id, JSON.stringify(tunnel), new Date().toISOString());
  }

  remove(id: string): boolean {
    return this.delete.run(id).changes > 0;
  }
}
