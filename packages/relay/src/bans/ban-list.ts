import { EventEmitter } from "node:events";
import { type Cidr, formatCidr, type IpAddress, isCidrError, parseCidr, parseIp } from "@autostun/ip";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import { type Ban, type BanStore, MAX_BAN_REASON_LENGTH, MemoryBanStore } from "./ban.js";
import { PrefixMatcher } from "./prefix-matcher.js";

export interface BanInput {
  cidr: string;
  reason?: string | null;
  /** Lifetime from now; absent or null for a ban until unbanned. */
  ttlSeconds?: number | null;
}

interface Entry {
  ban: Ban;
  cidr: Cidr;
  /** Order of first ban, kept when a ban is replaced: pages and cursors follow it. */
  seq: number;
}

/** What made a change: a call through the API, a ban-list file reload, or a lifetime that ran out. */
export type BanCause = "api" | "file" | "expiry";

export type BanEvent =
  | { type: "banned"; ban: Ban; cidr: Cidr; cause: BanCause }
  | { type: "unbanned"; ban: Ban; cidr: Cidr; cause: BanCause };

/** Most bans one `banMany` call takes, so one request cannot hold the event loop for long. */
export const MAX_BAN_BATCH = 10_000;

/** One entry of a bulk ban that was refused, by its place in the list. */
export interface BanInputError {
  readonly index: number;
  readonly cidr: string;
  readonly message: string;
}

export interface BanManyOutcome {
  bans: Ban[];
  errors: BanInputError[];
  notApplied: BanNotApplied[];
}

/** One page of bans in ban order, with the order numbers cursors are made from. */
export interface BanPage {
  items: { ban: Ban; seq: number }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * Something outside the process that must follow the list, e.g. a tunnel's kernel ban set. Changes
 * made in memory reach the accept path at once; an enforcer's part is in force only once `enforce`
 * resolved, and the list's own calls wait for that before they return.
 */
export interface BanEnforcer {
  /** Who could not apply a change, as a user reads it: the tunnel's id. */
  readonly name: string;
  /** Makes this enforcer hold the list as it is now; rejects with why it could not. */
  enforce(): Promise<void>;
}

/** One enforcer that could not apply a change: the change is kept, but not in force there. */
export interface BanNotApplied {
  readonly enforcer: string;
  readonly error: string;
}

export interface BanOutcome {
  ban: Ban;
  notApplied: BanNotApplied[];
}

export interface UnbanOutcome {
  /** False when the network was not banned. */
  removed: boolean;
  notApplied: BanNotApplied[];
}

export class InvalidBanError extends Error {
  readonly code = "INVALID_BAN";
}

/** Node fires any timer set beyond 2^31-1 ms (about 24.8 days) after 1 ms instead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The set of banned networks: fast matching for the accept path, TTL expiry, and an event per change
 * so the forwarder can cut live connections of a newly banned range at once instead of polling.
 */
export class BanList {
  private readonly entries = new Map<string, Entry>();
  private readonly matcher = new PrefixMatcher<Entry>();
  private readonly events = new EventEmitter();
  private readonly enforcers = new Set<BanEnforcer>();
  private readonly store: BanStore;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryDue = Number.POSITIVE_INFINITY;
  private readonly logger: Logger | undefined;
  private nextSeq = 1;

  constructor(options: { store?: BanStore; logger?: Logger } = {}) {
    this.store = options.store ?? new MemoryBanStore();
    this.logger = options.logger;
  }

  /** Restores persisted API bans, dropping those that expired while the daemon was down. */
  async load(): Promise<void> {
    const now = Date.now();
    for (const ban of await this.store.load()) {
      if (ban.expiresAt && ban.expiresAt.getTime() <= now) {
        await this.store.remove(ban.cidr);
        continue;
      }
      const cidr = parseCidr(ban.cidr);
      if (isCidrError(cidr)) {
        this.logger?.warn("skipping a stored ban that no longer parses", {
          cidr: ban.cidr,
          error: cidr.error,
        });
        continue;
      }
      this.put({ ...ban, cidr: formatCidr(cidr) }, cidr, "api");
    }
  }

  /**
   * Bans a network through the API (persisted). Re-banning replaces reason and expiry. Resolves once
   * every enforcer applied it; those that could not are listed, and the ban is kept all the same.
   */
  async ban(input: BanInput): Promise<BanOutcome> {
    const { ban, cidr } = this.build(input, "api");
    // Stored before it counts: a write the disk refuses is the caller's error, and nothing changed. Only
    // an asynchronous store is awaited, so with a synchronous one the list changes in this same tick.
    const saving = this.store.save(ban);
    if (saving) await saving;
    this.put(ban, cidr, "api");
    return { ban, notApplied: await this.enforce() };
  }

  /**
   * Bans every good entry of `inputs` (at most MAX_BAN_BATCH) at once: one store write, one catch-up per
   * enforcer. A bad entry is reported with its index and skipped; the good ones are kept all the same.
   */
  async banMany(inputs: readonly BanInput[]): Promise<BanManyOutcome> {
    if (inputs.length > MAX_BAN_BATCH)
      throw new InvalidBanError(
        `at most ${MAX_BAN_BATCH} bans per call, not ${inputs.length}; split the list`,
      );
    const built: { ban: Ban; cidr: Cidr }[] = [];
    const errors: BanInputError[] = [];
    inputs.forEach((input, index) => {
      try {
        built.push(this.build(input, "api"));
      } catch (error) {
        if (!(error instanceof InvalidBanError)) throw error;
        errors.push({ index, cidr: input.cidr, message: error.message });
      }
    });
    const bans = built.map((b) => b.ban);
    if (bans.length === 0) return { bans, errors, notApplied: [] };
    const store = this.store;
    // As for `ban`: all stored (one transaction) before any counts, or none and the caller hears why.
    const saving = store.saveMany ? store.saveMany(bans) : saveEach(store, bans);
    if (saving) await saving;
    for (const { ban, cidr } of built) this.put(ban, cidr, "api");
    return { bans, errors, notApplied: await this.enforce() };
  }

  /** Lifts a ban, resolving once every enforcer let the network go (see `ban`). */
  async unban(cidrText: string): Promise<UnbanOutcome> {
    const cidr = parseCidr(cidrText);
    if (isCidrError(cidr)) throw new InvalidBanError(`cannot unban "${cidrText}": ${cidr.error}`);
    const key = formatCidr(cidr);
    const entry = this.entries.get(key);
    if (!entry) return { removed: false, notApplied: [] };
    // Forgotten on disk first: an unban the disk refused would otherwise come back at the next start.
    const removing = entry.ban.source === "api" ? this.store.remove(key) : undefined;
    if (removing) await removing;
    if (this.entries.get(key) !== entry) return { removed: true, notApplied: await this.enforce() };
    this.drop(entry, "api");
    return { removed: true, notApplied: await this.enforce() };
  }

  /**
   * Registers something that must hold the list (a tunnel's kernel set); it is asked to catch up after
   * every change from now on, until the returned Disposable is disposed.
   */
  addEnforcer(enforcer: BanEnforcer): Disposable {
    this.enforcers.add(enforcer);
    return toDisposable(() => void this.enforcers.delete(enforcer));
  }

  /** Asks every enforcer to hold the list as it is now; resolves with those that could not, once all answered. */
  async enforce(): Promise<BanNotApplied[]> {
    const enforcers = [...this.enforcers];
    const results = await Promise.allSettled(enforcers.map((enforcer) => enforcer.enforce()));
    return results.flatMap((result, i) =>
      result.status === "rejected"
        ? [{ enforcer: enforcers[i]!.name, error: errorMessage(result.reason) }]
        : [],
    );
  }

  /** The ban covering `address` (text or parsed), most specific first. */
  match(address: string | IpAddress): Ban | undefined {
    const ip = typeof address === "string" ? parseIp(address) : address;
    if (!ip) return undefined;
    const entry = this.matcher.match(ip);
    if (!entry) return undefined;
    if (entry.ban.expiresAt && entry.ban.expiresAt.getTime() <= Date.now()) {
      // The timer may lag under load; an expired ban must not block even for that moment.
      if (this.expire(entry)) this.enforceExpiry([entry.ban.cidr]);
      return this.match(ip);
    }
    return entry.ban;
  }

  list(): Ban[] {
    return [...this.entries.values()].map((entry) => entry.ban);
  }

  /** Every ban with its parsed network, without copying: for enforcers that must see the whole list. */
  *networks(): IterableIterator<{ ban: Ban; cidr: Cidr }> {
    yield* this.entries.values();
  }

  /** The ban of exactly this network (canonical text), if any. */
  get(cidr: string): Ban | undefined {
    return this.entries.get(cidr)?.ban;
  }

  /** A ban of a wider network that holds all of `cidr`, if any: then `cidr` needs no set element of its own. */
  widerBan(cidr: Cidr): Ban | undefined {
    return this.matcher.matchWider({ family: cidr.family, value: cidr.network }, cidr.prefix)?.ban;
  }

  /** The order number of a ban, for a cursor; undefined when that network is not banned. */
  seqOf(cidr: string): number | undefined {
    const parsed = parseCidr(cidr);
    return isCidrError(parsed) ? undefined : this.entries.get(formatCidr(parsed))?.seq;
  }

  /**
   * Up to `first` bans after order number `after` (0: from the start). Entries sit in the map in order
   * (a replaced ban keeps its place), so a page is a walk, with no sort and no copy of the list.
   */
  page(first: number, after = 0): BanPage {
    const items: { ban: Ban; seq: number }[] = [];
    let hasPreviousPage = false;
    let hasNextPage = false;
    for (const entry of this.entries.values()) {
      if (entry.seq <= after) {
        hasPreviousPage = true;
        continue;
      }
      if (items.length === first) {
        hasNextPage = true;
        break;
      }
      items.push({ ban: entry.ban, seq: entry.seq });
    }
    return { items, hasNextPage, hasPreviousPage };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Calls `listener` on every ban added, removed or expired, until the returned Disposable is disposed. */
  onChange(listener: (event: BanEvent) => void): Disposable {
    this.events.on("change", listener);
    return toDisposable(() => void this.events.off("change", listener));
  }

  /**
   * Makes the bans of one source exactly `inputs`: used by a ban-list file on every reload. Networks
   * that an API ban also covers stay API bans.
   */
  async replaceSource(
    source: string,
    inputs: readonly BanInput[],
  ): Promise<{ added: number; removed: number; notApplied: BanNotApplied[] }> {
    const wanted = new Map<string, BanInput>();
    for (const input of inputs) {
      const cidr = parseCidr(input.cidr);
      if (!isCidrError(cidr)) wanted.set(formatCidr(cidr), input);
    }
    let removed = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.ban.source === source && !wanted.has(entry.ban.cidr)) {
        this.drop(entry, "file");
        removed++;
      }
    }
    let added = 0;
    for (const [key, input] of wanted) {
      const existing = this.entries.get(key);
      if (existing && (existing.ban.source !== source || existing.ban.reason === (input.reason ?? null)))
        continue;
      this.apply(input, source, "file");
      if (!existing) added++;
    }
    // One catch-up for the whole file, so a reload of many lines is one nft run per tunnel.
    const notApplied = added + removed > 0 ? await this.enforce() : [];
    return { added, removed, notApplied };
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.events.removeAllListeners();
    this.enforcers.clear();
  }

  private apply(input: BanInput, source: string, cause: BanCause = "api"): Ban {
    const { ban, cidr } = this.build(input, source);
    this.put(ban, cidr, cause);
    return ban;
  }

  /** Checks an input and makes its ban, without changing the list. */
  private build(input: BanInput, source: string): { ban: Ban; cidr: Cidr } {
    const cidr = parseCidr(input.cidr);
    if (isCidrError(cidr)) throw new InvalidBanError(`cannot ban "${input.cidr}": ${cidr.error}`);
    const length = input.reason?.length ?? 0;
    if (length > MAX_BAN_REASON_LENGTH)
      throw new InvalidBanError(
        `cannot ban "${input.cidr}": the reason is ${length} characters; at most ${MAX_BAN_REASON_LENGTH}`,
      );
    const ttl = input.ttlSeconds;
    if (ttl !== undefined && ttl !== null && !(ttl > 0)) {
      throw new InvalidBanError(`cannot ban "${input.cidr}": ttlSeconds must be positive, not ${ttl}`);
    }
    const now = Date.now();
    const ban: Ban = {
      cidr: formatCidr(cidr),
      reason: input.reason ?? null,
      createdAt: new Date(now),
      expiresAt: ttl ? new Date(now + ttl * 1000) : null,
      source,
    };
    return { ban, cidr };
  }

  private put(ban: Ban, cidr: Cidr, cause: BanCause): void {
    const entry = { ban, cidr, seq: this.entries.get(ban.cidr)?.seq ?? this.nextSeq++ };
    this.entries.set(ban.cidr, entry);
    this.matcher.set(cidr, entry);
    if (ban.expiresAt) this.scheduleExpiry(ban.expiresAt.getTime());
    this.events.emit("change", { type: "banned", ban, cidr, cause } satisfies BanEvent);
  }

  private drop(entry: Entry, cause: BanCause): void {
    this.entries.delete(entry.ban.cidr);
    this.matcher.delete(entry.cidr);
    this.events.emit("change", {
      type: "unbanned",
      ban: entry.ban,
      cidr: entry.cidr,
      cause,
    } satisfies BanEvent);
  }

  /** True when it lifted the ban; the caller then has the enforcers catch up. */
  private expire(entry: Entry): boolean {
    if (this.entries.get(entry.ban.cidr) !== entry) return false;
    this.drop(entry, "expiry");
    if (entry.ban.source === "api") this.persist(() => this.store.remove(entry.ban.cidr));
    this.logger?.info("ban expired", { cidr: entry.ban.cidr, reason: entry.ban.reason });
    return true;
  }

  /** Expiry has no caller to answer, so what could not be applied is logged, naming where and why. */
  private enforceExpiry(cidrs: readonly string[]): void {
    void this.enforce().then((notApplied) => {
      // Not "they stay in force": a ban with a kernel timeout lapses there on its own, and a host
      // that an expired range held back is missing there instead. What is known is the failed update.
      for (const { enforcer, error } of notApplied)
        this.logger?.error(
          `tunnel "${enforcer}" could not bring its kernel ban set up to date after bans expired; the next ban change tries again`,
          { cidrs, error },
        );
    });
  }

  /**
   * One timer for the earliest expiry; a sweep then finds every ban that is due. A wait longer than Node
   * allows is cut to the limit: the early sweep finds nothing due and arms the next leg.
   */
  private scheduleExpiry(due: number): void {
    if (due >= this.expiryDue) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryDue = due;
    const wait = Math.min(Math.max(0, due - Date.now()), MAX_TIMER_DELAY_MS);
    this.expiryTimer = setTimeout(() => this.sweep(), wait);
    this.expiryTimer.unref();
  }

  private sweep(): void {
    this.expiryTimer = undefined;
    this.expiryDue = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: string[] = [];
    for (const entry of [...this.entries.values()]) {
      const at = entry.ban.expiresAt?.getTime();
      if (at === undefined) continue;
      if (at <= now) {
        if (this.expire(entry)) expired.push(entry.ban.cidr);
      } else next = Math.min(next, at);
    }
    if (expired.length > 0) this.enforceExpiry(expired);
    if (next < Number.POSITIVE_INFINITY) this.scheduleExpiry(next);
  }

  private persist(write: () => void | Promise<void>): void {
    const report = (error: unknown) =>
      this.logger?.error("could not persist a ban change; it applies until the daemon restarts", {
        error: error instanceof Error ? error.message : String(error),
      });
    try {
      const pending = write();
      if (pending) pending.catch(report);
    } catch (error) {
      report(error);
    }
  }
}

async function saveEach(store: BanStore, bans: readonly Ban[]): Promise<void> {
  for (const ban of bans) await store.save(ban);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
