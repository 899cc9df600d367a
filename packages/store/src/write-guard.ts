import { chmodSync, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "@autostun/plugins-api";
import { RepeatedFailureLog } from "@autostun/runtime";
import type Database from "better-sqlite3";

/**
 * A change the caller asked for did not reach the disk. The API answers it as an error with code
 * NOT_SAVED; nothing was changed in memory either, so what the API shows is what a restart finds.
 */
export class StorageWriteError extends Error {
  readonly code = "NOT_SAVED";
}

/** How often the database file's identity is compared with the open handle's, writes or not. */
export const FILE_CHECK_INTERVAL_MS = 5_000;

/** Connection records are written per connection: their file check runs at most this often. */
const RECORD_CHECK_EVERY_MS = 1_000;

/** True for an error SQLite raised (full disk, I/O error, lock, read-only file system…). */
export function isSqliteFailure(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("SQLITE_");
}

/** Why a write to the database in `dataDir` failed, in words a user can act on. */
export function describeStorageFailure(error: Error & { code: string }, dataDir: string): string {
  const { code } = error;
  if (code === "SQLITE_FULL") return `the disk holding ${dataDir} is full (SQLITE_FULL); free space there`;
  if (code.startsWith("SQLITE_READONLY"))
    return `the database in ${dataDir} cannot be written (${code}: ${error.message}); check the file system is writable`;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return `the database in ${dataDir} is busy: another program holds a lock on it (${code}); close it and try again`;
  if (code.startsWith("SQLITE_IOERR"))
    return `the disk under ${dataDir} failed the write (${code}: ${error.message}); check the disk and free space`;
  return `${error.message} (${code})`;
}

const guards = new WeakMap<Database.Database, WriteGuard>();

/** The one guard of a database handle; every store writing through `db` shares it. */
export function writeGuard(db: Database.Database): WriteGuard {
  let guard = guards.get(db);
  if (!guard) {
    guard = new WriteGuard(db);
    guards.set(db, guard);
  }
  return guard;
}

/** What the API shows of the database's health. */
export interface StorageHealth {
  /** The database file, or null for an in-memory one. */
  database: string | null;
  /** False once the file went missing or was replaced: writes are refused until a restart. */
  writable: boolean;
  /** Why writes are refused, when they are. */
  problem: string | null;
  /** The latest write that failed (full disk, I/O error), or null when none has since the start. */
  lastFailure: { message: string; at: Date; count: number } | null;
}

export interface GuardOptions {
  /** Told once when the database file went missing or was replaced: a line the user must see. */
  onProblem?: (line: string) => void;
  checkEveryMs?: number;
}

/**
 * Runs the daemon's writes: a write that fails becomes a {@link StorageWriteError} for the caller and a
 * log line at most once a minute per kind (with a count), and the file at the database's path is checked
 * to still be the one open. When it was deleted, what the handle holds is written back to the path; when
 * it was replaced, it is kept beside it. Either way later writes are refused until a restart, because
 * they would go into a file that nobody will ever open again.
 */
export class WriteGuard {
  private readonly path: string | undefined;
  private readonly identity: { dev: number; ino: number } | undefined;
  private logger: Logger | undefined;
  private failures: RepeatedFailureLog | undefined;
  private onProblem: ((line: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRecordCheck = 0;
  private refused: string | undefined;
  private lastFailure: StorageHealth["lastFailure"] = null;
  private failureCount = 0;

  constructor(private readonly db: Database.Database) {
    if (db.memory) return;
    this.path = db.name;
    const stat = statSync(db.name);
    this.identity = { dev: stat.dev, ino: stat.ino };
  }

  /** Starts reporting (logger) and the periodic file check; the daemon calls it once the database is open. */
  attach(logger: Logger, options: GuardOptions = {}): void {
    this.logger = logger;
    this.failures = new RepeatedFailureLog(logger);
    this.onProblem = options.onProblem;
    if (this.path && !this.timer) {
      this.timer = setInterval(() => this.verify(), options.checkEveryMs ?? FILE_CHECK_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Stops the periodic check and writes the failure counts still held back. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.failures?.flush();
  }

  /** Why writes are refused (the file went missing or was replaced), or undefined while all is well. */
  get problem(): string | undefined {
    return this.refused;
  }

  health(): StorageHealth {
    return {
      database: this.path ?? null,
      writable: !this.refused,
      problem: this.refused ?? null,
      lastFailure: this.lastFailure,
    };
  }

  private failed(kind: string, message: string): void {
    this.failureCount++;
    this.lastFailure = { message, at: new Date(), count: this.failureCount };
    this.failures?.report(kind, message, this.fields());
  }

  /**
   * Runs a write a caller waits for. `kind` groups the log lines ("bans", "saved tunnels"); `what` names
   * this change in the error ("the ban of 192.0.2.1/32").
   */
  write<T>(kind: string, what: string, work: () => T): T {
    this.verify();
    if (this.refused) {
      this.failed(kind, `a change to ${kind} was refused: ${this.refused}`);
      throw new StorageWriteError(`${what} was not saved: ${this.refused}`);
    }
    try {
      return work();
    } catch (error) {
      if (!isSqliteFailure(error)) throw error;
      const reason = describeStorageFailure(error, this.folder());
      this.failed(kind, `could not save ${kind}: ${reason}`);
      throw new StorageWriteError(`${what} was not saved: ${reason}`);
    }
  }

  /**
   * Runs a write nobody waits for (a connection record): a failure is counted and logged at most once a
   * minute, never thrown, so forwarding goes on whatever the disk does.
   */
  record(kind: string, work: () => void): void {
    const now = Date.now();
    if (now - this.lastRecordCheck >= RECORD_CHECK_EVERY_MS) {
      this.lastRecordCheck = now;
      this.verify();
    }
    if (this.refused) {
      this.failed(kind, `${kind} are not saved: ${this.refused}`);
      return;
    }
    try {
      work();
    } catch (error) {
      const reason = isSqliteFailure(error) ? describeStorageFailure(error, this.folder()) : String(error);
      this.failed(kind, `could not save ${kind}: ${reason}`);
    }
  }

  /** Compares the file at the path with the open one; on a mismatch, keeps the data and refuses writes. */
  verify(): void {
    if (!this.path || !this.identity || this.refused) return;
    let now: { dev: number; ino: number } | undefined;
    try {
      now = statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return;
    }
    if (now && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
    const at = new Date().toISOString();
    const copy = now ? `${this.path}.kept-${at.replace(/[:.]/g, "-")}` : this.path;
    let kept: string;
    try {
      if (existsSync(copy)) throw new Error(`${copy} exists`);
      this.db.prepare("VACUUM INTO ?").run(copy);
      chmodSync(copy, 0o600);
      kept = now
        ? `what AutoSTUN held is kept as ${copy}`
        : "what AutoSTUN held was written back there, so a restart finds it";
    } catch (error) {
      kept = `writing what AutoSTUN held to ${copy} failed too (${(error as Error).message}), so changes since the last start are lost at the next restart`;
    }
    const happened = now ? "was replaced by another file" : "was deleted";
    this.refused = `the database file ${this.path} ${happened} while AutoSTUN ran (noticed ${at}); ${kept}. Changes are refused until AutoSTUN restarts`;
    this.logger?.error(this.refused, this.fields());
    this.onProblem?.(`error: ${this.refused}.`);
  }

  private folder(): string {
    return this.path ? dirname(this.path) : "memory";
  }

  private fields(): Record<string, unknown> {
    return this.path ? { database: this.path } : {};
  }
}
