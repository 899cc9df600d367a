import { EventEmitter } from "node:events";
import type { Logger } from "@autostun/plugins-api";
import { type IpAddress, parseIp } from "../ip/address.js";
import { type Cidr, formatCidr, isCidrError, parseCidr } from "../ip/cidr.js";
import { type Ban, type BanStore, MemoryBanStore } from "./ban.js";
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
}

export type BanEvent = { type: "banned"; ban: Ban; cidr: Cidr } | { type: "unbanned"; ban: Ban; cidr: Cidr };

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
  private readonly store: BanStore;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryDue = Number.POSITIVE_INFINITY;
  private readonly logger: Logger | undefined;

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
      this.put({ ...ban, cidr: formatCidr(cidr) }, cidr);
    }
  }

  /** Bans a network through the API (persisted). Re-banning replaces reason and expiry. */
  ban(input: BanInput): Ban {
    const ban = this.apply(input, "api");
    this.persist(() => this.store.save(ban));
    return ban;
  }

  /** Lifts a ban; false when the network was not banned. */
  unban(cidrText: string): boolean {
    const cidr = parseCidr(cidrText);
    if (isCidrError(cidr)) throw new InvalidBanError(`cannot unban "${cidrText}": ${cidr.error}`);
    const key = formatCidr(cidr);
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.drop(entry);
    if (entry.ban.source === "api") this.persist(() => this.store.remove(key));
    return true;
  }

  /** The ban covering `address` (text or parsed), most specific first. */
  match(address: string | IpAddress): Ban | undefined {
    const ip = typeof address === "string" ? parseIp(address) : address;
    if (!ip) return undefined;
    const entry = this.matcher.match(ip);
    if (!entry) return undefined;
    if (entry.ban.expiresAt && entry.ban.expiresAt.getTime() <= Date.now()) {
      // The timer may lag under load; an expired ban must not block even for that moment.
      this.expire(entry);
      return this.match(ip);
    }
    return entry.ban;
  }

  list(): Ban[] {
    return [...this.entries.values()].map((entry) => entry.ban);
  }

  get size(): number {
    return this.entries.size;
  }

  onChange(listener: (event: BanEvent) => void): () => void {
    this.events.on("change", listener);
    return () => this.events.off("change", listener);
  }

  /**
   * Makes the bans of one source exactly `inputs`: used by a ban-list file on every reload. Networks
   * that an API ban also covers stay API bans.
   */
  replaceSource(source: string, inputs: readonly BanInput[]): { added: number; removed: number } {
    const wanted = new Map<string, BanInput>();
    for (const input of inputs) {
      const cidr = parseCidr(input.cidr);
      if (!isCidrError(cidr)) wanted.set(formatCidr(cidr), input);
    }
    let removed = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.ban.source === source && !wanted.has(entry.ban.cidr)) {
        this.drop(entry);
        removed++;
      }
    }
    let added = 0;
    for (const [key, input] of wanted) {
      const existing = this.entries.get(key);
      if (existing && (existing.ban.source !== source || existing.ban.reason === (input.reason ?? null)))
        continue;
      this.apply(input, source);
      if (!existing) added++;
    }
    return { added, removed };
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.events.removeAllListeners();
  }

  private apply(input: BanInput, source: string): Ban {
    const cidr = parseCidr(input.cidr);
    if (isCidrError(cidr)) throw new InvalidBanError(`cannot ban "${input.cidr}": ${cidr.error}`);
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
    this.put(ban, cidr);
    return ban;
  }

  private put(ban: Ban, cidr: Cidr): void {
    const entry = { ban, cidr };
    this.entries.set(ban.cidr, entry);
    this.matcher.set(cidr, entry);
    if (ban.expiresAt) this.scheduleExpiry(ban.expiresAt.getTime());
    this.events.emit("change", { type: "banned", ban, cidr } satisfies BanEvent);
  }

  private drop(entry: Entry): void {
    this.entries.delete(entry.ban.cidr);
    this.matcher.delete(entry.cidr);
    this.events.emit("change", { type: "unbanned", ban: entry.ban, cidr: entry.cidr } satisfies BanEvent);
  }

  private expire(entry: Entry): void {
    if (this.entries.get(entry.ban.cidr) !== entry) return;
    this.drop(entry);
    if (entry.ban.source === "api") this.persist(() => this.store.remove(entry.ban.cidr));
    this.logger?.info("ban expired", { cidr: entry.ban.cidr, reason: entry.ban.reason });
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
    for (const entry of [...this.entries.values()]) {
      const at = entry.ban.expiresAt?.getTime();
      if (at === undefined) continue;
      if (at <= now) this.expire(entry);
      else next = Math.min(next, at);
    }
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
