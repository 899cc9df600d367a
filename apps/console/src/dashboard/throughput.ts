/** Cumulative byte counters read at one moment. */
export interface ByteSample {
  /** Milliseconds since the epoch when the counters were read. */
  at: number;
  bytesIn: number;
  bytesOut: number;
}

/** Bytes per second each way between two samples. */
export interface Rate {
  inPerSecond: number;
  outPerSecond: number;
}

export const ZERO_RATE: Rate = { inPerSecond: 0, outPerSecond: 0 };

/**
 * The rate between two readings of cumulative counters. Counters that went down mean the daemon
 * restarted (they start again from zero), so that interval says nothing and reads as no traffic
 * rather than as a huge negative rate; the same for readings that are not in time order.
 */
export function rateBetween(previous: ByteSample, next: ByteSample): Rate {
  const seconds = (next.at - previous.at) / 1000;
  if (seconds <= 0) return ZERO_RATE;
  const bytesIn = next.bytesIn - previous.bytesIn;
  const bytesOut = next.bytesOut - previous.bytesOut;
  if (bytesIn < 0 || bytesOut < 0) return ZERO_RATE;
  return { inPerSecond: bytesIn / seconds, outPerSecond: bytesOut / seconds };
}

/** One point of a throughput history: when, and bytes per second both ways together. */
export interface ThroughputPoint {
  at: number;
  perSecond: number;
}

/** How many points a sparkline keeps: two minutes at one sample every two seconds. */
export const HISTORY_LENGTH = 60;

/**
 * Adds the rate since the last sample to a history, keeping the newest `limit` points. The first
 * sample only sets the baseline: one reading of cumulative counters has no rate.
 */
export function extendHistory(
  history: readonly ThroughputPoint[],
  last: ByteSample | undefined,
  next: ByteSample,
  limit = HISTORY_LENGTH,
): ThroughputPoint[] {
  if (!last) return [...history];
  const rate = rateBetween(last, next);
  const point = { at: next.at, perSecond: rate.inPerSecond + rate.outPerSecond };
  return [...history, point].slice(-limit);
}
