import type { Logger } from "@autostun/plugins-api";

/** How often one kind of failure may reach the log. */
export const REPEAT_WINDOW_MS = 60_000;

interface Pending {
  /** When the last line for this key was written. */
  loggedAt: number;
  /** Occurrences since then that were only counted. */
  suppressed: number;
  message: string;
  fields: Record<string, unknown>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Logs a failure that can repeat thousands of times (a write per connection on a full disk) at most once
 * per window for each kind and message: the first occurrence at once, then one line with how many more
 * there were, when the window ends. The log stays readable and the disk it may share is not filled further.
 */
export class RepeatedFailureLog {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = REPEAT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reports one occurrence. `kind` names what failed (e.g. "connection records"); identical messages of a
   * kind are counted together, a different message is logged on its own.
   */
  report(kind: string, message: string, fields: Record<string, unknown> = {}): void {
    const key = `${kind}\u0000${message}`;
    const at = this.now();
    const known = this.pending.get(key);
    if (known && at - known.loggedAt < this.windowMs) {
      known.suppressed++;
      known.fields = fields;
      known.timer ??= setTimeout(() => this.flushKey(key), known.loggedAt + this.windowMs - at).unref();
      return;
    }
    const repeated = known?.suppressed ?? 0;
    if (known?.timer) clearTimeout(known.timer);
    this.pending.set(key, { loggedAt: at, suppressed: 0, message, fields, timer: undefined });
    this.logger.error(message, {
      kind,
      ...fields,
      ...(repeated > 0 ? { repeatedSinceLastLine: repeated } : {}),
    });
  }

  /** Writes the counts still held back, e.g. when the daemon stops. */
  flush(): void {
    for (const key of [...this.pending.keys()]) this.flushKey(key);
  }

  private flushKey(key: string): void {
    const known = this.pending.get(key);
    if (!known) return;
    if (known.timer) clearTimeout(known.timer);
    known.timer = undefined;
    if (known.suppressed === 0) return;
    const [kind] = key.split("\u0000");
    const times = known.suppressed === 1 ? "1 more time" : `${known.suppressed} more times`;
    this.logger.error(`${known.message} (${times} in the last minute)`, {
      kind,
      ...known.fields,
      repeatedSinceLastLine: known.suppressed,
    });
    known.suppressed = 0;
    known.loggedAt = this.now();
  }
}
