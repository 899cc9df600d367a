import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE check_latest (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     outcome TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE check_history (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL,
     status TEXT NOT NULL,
     outcome TEXT NOT NULL,
     finished_at TEXT NOT NULL
   );
   CREATE INDEX check_history_by_id ON check_history (id, seq);`,
];

/**
 * Opens (creating if needed) the daemon's database under `dataDir`, in WAL mode so a crash mid-write
 * leaves it consistent, and brings the schema up to date. `:memory:` gives a throwaway one.
 */
export function openDatabase(dataDir: string | ":memory:"): Db {
  let path = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true });
    path = join(dataDir, "autostun.db");
  }
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 2000");
  const version = db.pragma("user_version", { simple: true }) as number;
  for (let index = version; index < MIGRATIONS.length; index++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[index] as string);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
  return db;
}
