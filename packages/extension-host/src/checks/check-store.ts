import type { CheckStatus } from "@autostun/plugins-api";
import { type Db, writeGuard } from "@autostun/store";
import type { CheckState } from "../contributions/model.js";

/** How many finished runs of each check the history keeps. */
const HISTORY_PER_CHECK = 200;

export interface HistoryEntry {
  status: CheckStatus;
  finishedAt: string;
  outcome: CheckState;
}

/** Latest result and a bounded history of every check, in SQLite. */
export class CheckStore {
  private readonly upsert;
  private readonly append;
  private readonly trim;
  private readonly selectLatest;
  private readonly selectHistory;
  private closed = false;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO check_latest (id, status, outcome, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome, updated_at = excluded.updated_at`,
    );
    this.append = db.prepare(
      `INSERT INTO check_history (id, status, outcome, finished_at) VALUES (?, ?, ?, ?)`,
    );
    this.trim = db.prepare(
      `DELETE FROM check_history WHERE id = ? AND seq <= (
         SELECT seq FROM check_history WHERE id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    );
    this.selectLatest = db.prepare(`SELECT outcome FROM check_latest`);
    this.selectHistory = db.prepare(
      `SELECT status, outcome, finished_at FROM check_history WHERE id = ? ORDER BY seq DESC LIMIT ?`,
    );
  }

  /** Records a finished run: latest and history change together or not at all. */
  recordFinished(state: CheckState): void {
    if (this.closed) {
      throw new Error(
        `the result of ${state.id} was not saved: the daemon is stopping and its database is already closed`,
      );
    }
    const json = JSON.stringify(state);
    const at = state.finishedAt ?? new Date().toISOString();
    writeGuard(this.db).write("check results", `the result of ${state.id}`, () =>
      this.db.transaction(() => {
        this.upsert.run(state.id, state.status, json, at);
        this.append.run(state.id, state.status, json, at);
        this.trim.run(state.id, state.id, HISTORY_PER_CHECK);
      })(),
    );
  }

  latest(): CheckState[] {
    return (this.selectLatest.all() as { outcome: string }[]).map(
      (row) => JSON.parse(row.outcome) as CheckState,
    );
  }

  history(id: string, limit = 50): HistoryEntry[] {
    return (
      this.selectHistory.all(id, limit) as { status: CheckStatus; outcome: string; finished_at: string }[]
    ).map((row) => ({
      status: row.status,
      finishedAt: row.finished_at,
      outcome: JSON.parse(row.outcome) as CheckState,
    }));
  }

  /**
   * Stops writing: later writes are refused with a reason instead of reaching a closed handle. The
   * database itself belongs to the daemon's lifecycle, which closes it last, since other stores share it.
   */
  close(): void {
    this.closed = true;
  }
}
