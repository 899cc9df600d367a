import { useCallback, useMemo, useState } from "react";

/** Requests under way per key; a count, so two overlapping requests for one key keep it busy until both end. */
export type InFlightCounts = ReadonlyMap<string, number>;

export function enter(counts: InFlightCounts, key: string): InFlightCounts {
  return new Map(counts).set(key, (counts.get(key) ?? 0) + 1);
}

export function leave(counts: InFlightCounts, key: string): InFlightCounts {
  const next = new Map(counts);
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) next.set(key, left);
  else next.delete(key);
  return next;
}

export interface InFlight {
  /** Keys (a tunnel id, a CIDR, a check id) with a request under way, e.g. to disable their buttons. */
  keys: ReadonlySet<string>;
  /** Runs `work` with `key` marked busy until it settles, however it ends. */
  during<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function useInFlight(): InFlight {
  const [counts, setCounts] = useState<InFlightCounts>(new Map());
  const keys = useMemo(() => new Set(counts.keys()), [counts]);
  const during = useCallback(async <T>(key: string, work: () => Promise<T>) => {
    setCounts((held) => enter(held, key));
    try {
      return await work();
    } finally {
      setCounts((held) => leave(held, key));
    }
  }, []);
  return { keys, during };
}
