import { closeSync, existsSync, openSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import {
  DataDirUnusable,
  makePrivate,
  type Narrowed,
  PRIVATE_FILE_MODE,
  prepareDataDir,
} from "./data-dir.js";
import { describeStorageFailure, isSqliteFailure, writeGuard } from "./write-guard.js";

export {
  describeStorageFailure,
  isSqliteFailure,
  StorageWriteError,
  type WriteGuard,
  writeGuard,
} from "./write-guard.js";

/** An interface, not an alias, so declarations that mention it (DI tokens) can name it. */
export interface Db extends Database.Database {}

/** The database file's name inside dataDir. */
export const DATABASE_FILE = "autostun.db";

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
  // The relay: API bans (file bans live in their file), connections live and recent, tunnels saved
  // through the API (config-file tunnels are never copied here, so the file stays their only source).
  `CREATE TABLE bans (
     cidr TEXT PRIMARY KEY,
     reason TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT
   );
   CREATE TABLE connections (
     id TEXT PRIMARY KEY,
     tunnel_id TEXT NOT NULL,
     remote_address TEXT NOT NULL,
     proxy_address TEXT,
     opened_at TEXT NOT NULL,
     closed_at TEXT,
     bytes_in INTEGER NOT NULL DEFAULT 0,
     bytes_out INTEGER NOT NULL DEFAULT 0,
     country TEXT,
     city TEXT,
     asn INTEGER
   );
   CREATE INDEX connections_by_opened ON connections (tunnel_id, opened_at, id);
   CREATE INDEX connections_by_bytes ON connections (tunnel_id, (bytes_in + bytes_out), id);
   CREATE INDEX connections_by_proxy ON connections (proxy_address);
   CREATE INDEX connections_by_closed ON connections (closed_at);
   CREATE TABLE saved_tunnels (
     id TEXT PRIMARY KEY,
     config TEXT NOT NULL,
     saved_at TEXT NOT NULL
   );`,
  // UDP sessions (uTP, DHT) share the table with TCP connections; rows from before them were all TCP.
  `ALTER TABLE connections ADD COLUMN protocol TEXT NOT NULL DEFAULT 'TCP';`,
];

/** A damaged database that was renamed so a fresh one could take its place. */
export interface MovedAside {
  /** Where it was. */
  path: string;
  /** Where it is now; its -wal and -shm files, if any, moved along with the same suffix. */
  keptAs: string;
  /** What was wrong with it. */
  reason: string;
}

export interface OpenOptions {
  /** Told when a damaged database was moved aside; the caller must say so loudly. */
  onMovedAside?: (moved: MovedAside) => void;
  /** Told when dataDir or files in it were readable by other users and were narrowed. */
  onNarrowed?: (narrowed: Narrowed[]) => void;
}

/** The database file cannot be read as SQLite: moving it aside and starting afresh is the remedy. */
class Damaged extends Error {}

const DAMAGED_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * Opens (creating if needed) the daemon's database under `dataDir`, in WAL mode so a crash mid-write
 * leaves it consistent, checks that every page can be read, and brings the schema up to date. A damaged
 * file is renamed with a timestamp (never deleted) and a fresh one made; a folder or file AutoSTUN cannot
 * use throws {@link DataDirUnusable}. `:memory:` gives a throwaway one.
 */
export function openDatabase(dataDir: string | ":memory:", options: OpenOptions = {}): Db {
  if (dataDir === ":memory:") return prepare(new Database(":memory:"));
  const narrowed = prepareDataDir(dataDir);
  const path = join(dataDir, DATABASE_FILE);
  let db: Db;
  try {
    db = openFile(path);
  } catch (error) {
    if (!(error instanceof Damaged)) throw error;
    const keptAs = moveAside(path);
    options.onMovedAside?.({ path, keptAs, reason: error.message });
    db = openFile(path);
  }
  // The WAL file SQLite made with the database, and anything an older version left, get the same 0600.
  narrowed.push(...makePrivate(dataDir));
  if (narrowed.length > 0) options.onNarrowed?.(narrowed);
  writeGuard(db);
  return db;
}

function openFile(path: string): Db {
  if (existsSync(path)) {
    const stat = statSync(path);
    if (!stat.isFile()) {
      throw new DataDirUnusable(
        `cannot use ${path} as the database: it is not a file. Move it away so AutoSTUN can create its database there.`,
      );
    }
    // SQLite takes an empty file for a new database; ours never is one, so something truncated it.
    if (stat.size === 0) throw new Damaged("the file is empty (0 bytes): it was truncated");
  }
  let db: Db | undefined;
  try {
    // Made 0600 before SQLite sees it: SQLite gives its -wal (and -shm, -journal) the database's mode.
    if (!existsSync(path)) closeSync(openSync(path, "wx", PRIVATE_FILE_MODE));
    db = new Database(path);
    return prepare(db, { probeWrite: true });
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    if (error instanceof Damaged) throw error;
    if (typeof code === "string" && DAMAGED_CODES.test(code))
      throw new Damaged(`SQLite cannot read it (${code}: ${(error as Error).message})`);
    if (typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code))
      throw new DataDirUnusable(
        `the database ${path} is in use by another program (${code}): AutoSTUN keeps it locked while it runs, so close the other program (an sqlite3 shell, another AutoSTUN on the same dataDir) and start again.`,
      );
    if (isSqliteFailure(error))
      throw new DataDirUnusable(
        `cannot write the database ${path}: ${describeStorageFailure(error, dirname(path))}, or point dataDir elsewhere.`,
      );
    throw new DataDirUnusable(
      `cannot open the database ${path}: ${(error as Error).message}${typeof code === "string" ? ` (${code})` : ""}. Check that the folder and file are writable by the user running AutoSTUN and the disk is not full.`,
    );
  }
}

/** How long SQLite waits for a lock before it answers "busy": only at start, see `locking_mode` below. */
export const BUSY_TIMEOUT_MS = 2_000;

function prepare(db: Db, options: { probeWrite?: boolean } = {}): Db {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Exclusive before WAL: SQLite then keeps the WAL index in its own memory (no -shm file at all) and
  // holds the lock from the first access to close. No other process (an sqlite3 shell, a reader of a
  // leftover -shm) can take a lock the daemon would then wait for, blocking its event loop; they get
  // "database is locked" at once instead. dataDir 0700 already keeps other users from opening the files.
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // A damaged page otherwise surfaces later as writes that fail one by one.
  const problems = (db.pragma("quick_check(5)") as { quick_check: string }[]).flatMap((row) =>
    row.quick_check.split("\n").filter((line) => line && !line.startsWith("***")),
  );
  if (problems.length !== 1 || problems[0] !== "ok") {
    // SQLite's report spans lines; the user gets one, with the first finding.
    throw new Damaged(`its integrity check failed: ${problems[0] ?? "no details"}`);
  }
  const version = db.pragma("user_version", { simple: true }) as number;
  for (let index = version; index < MIGRATIONS.length; index++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[index] as string);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
  if (options.probeWrite) {
    // One real write now, so a full or read-only disk stops the start with one line, not a later stack.
    db.transaction(() => {
      db.exec("CREATE TABLE start_probe (x); DROP TABLE start_probe;");
    })();
  }
  return db;
}

/** Renames the damaged database and its WAL companions together, so whoever recovers it has all of it. */
function moveAside(path: string): string {
  const keptAs = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  try {
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(path + suffix)) renameSync(path + suffix, keptAs + suffix);
    }
  } catch (error) {
    throw new DataDirUnusable(
      `the database ${path} is damaged and could not be moved aside to ${keptAs}: ${(error as Error).message}. Move it away by hand and start AutoSTUN again.`,
    );
  }
  return keptAs;
}
