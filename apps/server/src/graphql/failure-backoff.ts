import { isIPv6 } from "node:net";

export interface FailureBackoffOptions {
  /** Failures an address may make before it has to wait (typos happen). */
  freeFailures?: number;
  /** Wait after the first failure beyond the free ones; it doubles with each further failure. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** An address with no failure for this long starts afresh. */
  forgetAfterMs?: number;
  /** Most addresses remembered; the one unseen for longest is forgotten first. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/**
 * Remembers failed attempts per client address and says how long each must wait before the next try.
 * The table is bounded, so a flood of addresses costs memory only up to `maxEntries`.
 */
export class FailureBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: FailureBackoffOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The key a client is remembered by. An IPv6 host usually owns a whole /64, so counting its addresses
   * one by one would let it switch address per guess.
   */
  static clientKey(address: string | undefined): string {
    if (!address) return "unknown";
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return mapped[1];
    if (!isIPv6(address)) return address;
    const [head = "", tail = ""] = address.split("::");
    const left = head ? head.split(":") : [];
    const right = tail ? tail.split(":") : [];
    const groups = address.includes("::")
      ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
      : left;
    return `${groups
      .slice(0, 4)
      .map((group) => Number.parseInt(group, 16).toString(16))
      .join(":")}::/64`;
  }

  /** Milliseconds this client must still wait; 0 when it may try now. */
  retryAfterMs(client: string): number {
    const entry = this.current(client);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  recordFailure(client: string): { failures: number; delayMs: number } {
    const now = this.now();
    const entry = this.current(client) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    entry.failures++;
    entry.lastFailureAt = now;
    const beyond = entry.failures - this.freeFailures;
    const delayMs = beyond > 0 ? Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (beyond - 1)) : 0;
    entry.blockedUntil = now + delayMs;
    // Re-inserting moves the entry to the end, so the Map's first key is always the stalest one.
    this.entries.delete(client);
    this.entries.set(client, entry);
    while (this.entries.size > this.maxEntries) {
      const stalest = this.entries.keys().next().value as string;
      this.entries.delete(stalest);
    }
    return { failures: entry.failures, delayMs };
  }

  recordSuccess(client: string): void {
    this.entries.delete(client);
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.entries.size;
  }

  private current(client: string): Entry | undefined {
    const entry = this.entries.get(client);
    if (entry && this.now() - entry.lastFailureAt > this.forgetAfterMs && this.now() >= entry.blockedUntil) {
      this.entries.delete(client);
      return undefined;
    }
    return entry;
  }
}
