/** How a failing tunnel spaces its retries. */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** No delay grows beyond this. */
  maxMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** Fraction (0..1) by which each delay is spread up or down at random. */
  jitter: number;
}

/** Shortest delay ever, whatever the policy says: a retry loop must never spin. */
export const MIN_RETRY_DELAY_MS = 100;

/**
 * Delay before retry number `failures` (1 for the first). Exponential up to `maxMs`, then spread by
 * ±jitter so that many tunnels (or many daemons behind one server) do not retry in step.
 */
export function retryDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.round(Math.max(MIN_RETRY_DELAY_MS, Math.min(policy.maxMs, base + spread)));
}
