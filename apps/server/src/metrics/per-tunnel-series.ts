import { Counter, Gauge, type Registry } from "prom-client";

/** Picks one number of a tunnel's counters for one series. */
export type SeriesFromStats<T> = (
  kind: "gauge" | "counter",
  name: string,
  help: string,
  pick: { [K in keyof T]: T[K] extends number ? K : never }[keyof T],
) => void;

/**
 * Series labelled by tunnel, all made from one read of every tunnel's counters: the registry collects
 * every metric of a scrape at once, and the read (nft or the forwarders) is shared by all of them and
 * forgotten right after, so the next scrape reads afresh.
 */
export function perTunnelSeries<T>(
  registry: Registry,
  read: () => Promise<Map<string, T>>,
): SeriesFromStats<T> {
  let statsRead: Promise<Map<string, T>> | undefined;
  const stats = () => {
    statsRead ??= read().finally(() => {
      setImmediate(() => {
        statsRead = undefined;
      });
    });
    return statsRead;
  };
  return (kind, name, help, pick) => {
    const config = { name, help, labelNames: ["tunnel"] as const, registers: [registry] };
    const value = (values: T) => values[pick] as number;
    if (kind === "gauge")
      new Gauge({
        ...config,
        async collect() {
          const all = await stats();
          this.reset();
          for (const [tunnel, values] of all) this.set({ tunnel }, value(values));
        },
      });
    else
      new Counter({
        ...config,
        async collect() {
          const all = await stats();
          this.reset();
          for (const [tunnel, values] of all) this.inc({ tunnel }, value(values));
        },
      });
  };
}
