import { isIPv6 } from "node:net";

export interface TarpitOptions {
  /** How long the first wrong token is held; each further one from the same client waits twice as long. */
  baseDelayMs?: number;
  /** The longest hold: a few seconds, so a guesser gains little and a typo costs little. */
  maxDelayMs?: number;
  /** Most wrong-token requests held at once, over all clients; beyond it they are answered "busy" at once. */
  maxHeld?: number;
  /** A client with no wrong token for this long starts afresh. */
  forgetAfterMs?: number;
  /** Most clients remembered; the one unseen for longest is forgotten first. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/** What the tarpit did with one wrong token. */
export type Held =
  | { held: true; failures: number; delayMs: number; released: Promise<void> }
  | { held: false; retryAfterMs: number };

/**
 * Slows wrong API tokens down instead of blocking the address they come from: on loopback every local user
 * shares 127.0.0.1, so a block would lock the owner out together with the guesser. Each wrong token is
 * answered only after a delay that grows with the client's failures (up to `maxDelayMs`); the right token
 * never comes through here. Held requests are bounded (`maxHeld`), and so is the table of clients
 * (`maxEntries`), so a flood costs neither unbounded memory nor unbounded sockets.
 */
export class Tarpit {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting = new Set<{ timer: NodeJS.Timeout; release: () => void }>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxHeld: number;
  private readonly forgetAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TarpitOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 4_000;
    this.maxHeld = options.maxHeld ?? 64;
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

  /** Counts a wrong token from `client` and holds it, or says the tarpit is full. */
  hold(client: string): Held {
    if (this.waiting.size >= this.maxHeld) {
      // Still counted: a client that fills the tarpit waits longer once there is room.
      this.recordFailure(client);
      return { held: false, retryAfterMs: this.maxDelayMs };
    }
    const { failures, delayMs } = this.recordFailure(client);
    const released = new Promise<void>((resolve) => {
      const waiter = {
        // Unref'd: a held guess must not keep a stopping process alive.
        timer: setTimeout(() => waiter.release(), delayMs).unref(),
        release: () => {
          clearTimeout(waiter.timer);
          this.waiting.delete(waiter);
          resolve();
        },
      };
      this.waiting.add(waiter);
    });
    return { held: true, failures, delayMs, released };
  }

  /** Requests held right now. */
  get held(): number {
    return this.waiting.size;
  }

  /** Clients currently remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** Answers every held request now (the server is closing). */
  releaseAll(): void {
    for (const waiter of [...this.waiting]) waiter.release();
  }

  private recordFailure(client: string): { failures: number; delayMs: number } {
    const now = this.now();
    const known = this.entries.get(client);
    const entry =
      known && now - known.lastFailureAt <= this.forgetAfterMs ? known : { failures: 0, lastFailureAt: now };
    entry.failures++;
    entry.lastFailureAt = now;
    // Re-inserting moves the entry to the end, so the Map's first key is always the stalest one.
    this.entries.delete(client);
    this.entries.set(client, entry);
    while (this.entries.size > this.maxEntries) {
      const stalest = this.entries.keys().next().value as string;
      this.entries.delete(stalest);
    }
    const delayMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(entry.failures - 1, 30));
    return { failures: entry.failures, delayMs };
  }
}
