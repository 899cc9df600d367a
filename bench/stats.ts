/** Summary of a series of wall times, in milliseconds. */
export interface Summary {
  runs: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/**
 * Median, 90th percentile (nearest rank, so with few runs it is simply one of the slow ones),
 * minimum and maximum. Throws on an empty series: a bench with no runs has nothing to report.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("bench: cannot summarise an empty series of timings");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const rank = Math.max(1, Math.ceil(0.9 * sorted.length));
  return {
    runs: sorted.length,
    median,
    p90: sorted[rank - 1]!,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}
