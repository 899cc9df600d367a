/** What {@link withDeadline} gives when the work did not settle in time. */
export const TIMED_OUT: unique symbol = Symbol("timed out");
/** What {@link withDeadline} gives when its signal aborted before the work settled. */
export const ABORTED: unique symbol = Symbol("aborted");

export type DeadlineOutcome<T> = T | typeof TIMED_OUT | typeof ABORTED;

export interface DeadlineOptions {
  /** Settles the race with {@link ABORTED} as soon as it aborts (a cancelled run, a daemon stopping). */
  signal?: AbortSignal;
}

/**
 * Races work against a time limit and, optionally, a cancel signal, and always clears its timer and
 * listener. Every stop, activate and run race of the daemon goes through here, so none can leak a timer
 * that holds the process open or forget to detach from the signal.
 *
 * The work starts inside the race (a function, not a promise), so a synchronous throw becomes a rejection
 * and a work that hangs before its first await is still timed. The work itself is not stopped: callers
 * that can cancel it pass it an AbortSignal of their own.
 */
export async function withDeadline<T>(
  work: () => T | PromiseLike<T>,
  limitMs: number,
  options: DeadlineOptions = {},
): Promise<DeadlineOutcome<Awaited<T>>> {
  const { signal } = options;
  if (signal?.aborted) return ABORTED;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<typeof TIMED_OUT | typeof ABORTED>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), limitMs);
    if (signal) {
      onAbort = () => resolve(ABORTED);
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([Promise.resolve().then(work), late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
