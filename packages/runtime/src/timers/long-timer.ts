import type { Disposable } from "@autostun/plugins-api";

/**
 * The longest delay Node's timers honour: 2^31-1 ms (about 24.8 days). A longer one is silently replaced
 * by 1 ms, so a `setInterval` of 25 days would fire a thousand times a second.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A pending timer; disposing it cancels it. */
export interface LongTimer extends Disposable {
  dispose(): void;
}

/**
 * Calls `fire` once after `delayMs`, however long: delays past {@link MAX_TIMER_MS} wait in steps Node
 * accepts. Unref'd, so a pending timer never keeps the process alive on its own.
 */
export function afterDelay(delayMs: number, fire: () => void, step = MAX_TIMER_MS): LongTimer {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`a timer delay must be a finite number of milliseconds >= 0, not ${delayMs}`);
  }
  const chunk = Math.min(Math.max(1, Math.floor(step)), MAX_TIMER_MS);
  let remaining = delayMs;
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const wait = () => {
    const now = Math.min(remaining, chunk);
    remaining -= now;
    handle = setTimeout(() => {
      if (cancelled) return;
      if (remaining > 0) wait();
      else fire();
    }, now).unref();
  };
  wait();
  return {
    dispose() {
      cancelled = true;
      clearTimeout(handle);
    },
  };
}

/** Calls `fire` every `periodMs`, however long, until cancelled. */
export function every(periodMs: number, fire: () => void, step = MAX_TIMER_MS): LongTimer {
  if (!Number.isFinite(periodMs) || periodMs < 1) {
    throw new RangeError(`a repeating timer needs a period of at least 1 ms, not ${periodMs}`);
  }
  let current: LongTimer | undefined;
  let cancelled = false;
  const next = () => {
    current = afterDelay(
      periodMs,
      () => {
        if (cancelled) return;
        next();
        fire();
      },
      step,
    );
  };
  next();
  return {
    dispose() {
      cancelled = true;
      current?.dispose();
    },
  };
}
