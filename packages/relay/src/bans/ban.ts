/**
 * Longest reason a ban keeps, in characters: enough for a sentence and a link, and a bound on what one
 * ban costs in memory, SQLite and every listing (a 16 MB reason was once stored as given).
 */
export const MAX_BAN_REASON_LENGTH = 500;

/** A banned network, as the GraphQL `Ban` type shows it. */
export interface Ban {
  /** Canonical text, e.g. `1.2.3.0/24`, `2001:db8::/32`. */
  readonly cidr: string;
  readonly reason: string | null;
  readonly createdAt: Date;
  /** Null: until unbanned. */
  readonly expiresAt: Date | null;
  /** `api` for bans made through the API; `file:<path>` for lines of a ban-list file. */
  readonly source: string;
}

/**
 * Where API bans persist (the daemon's SQLite). File bans are not stored: the file is their store.
 * Calls may be async; the ban list applies a change in memory first, so matching never waits on disk.
 */
export interface BanStore {
  load(): readonly Ban[] | Promise<readonly Ban[]>;
  save(ban: Ban): void | Promise<void>;
  /** Many bans in one write (one transaction), for a bulk ban; absent: `save` one by one. */
  saveMany?(bans: readonly Ban[]): void | Promise<void>;
  remove(cidr: string): void | Promise<void>;
}

/** Keeps API bans for the life of the process: the default when nothing persists them. */
export class MemoryBanStore implements BanStore {
  private readonly bans = new Map<string, Ban>();
  load(): Ban[] {
    return [...this.bans.values()];
  }
  save(ban: Ban): void {
    this.bans.set(ban.cidr, ban);
  }
  remove(cidr: string): void {
    this.bans.delete(cidr);
  }
}
