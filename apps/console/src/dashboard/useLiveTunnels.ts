import type { Client } from "@urql/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { EventTally } from "../graphql/eventTally.js";
import { useInFlight } from "../graphql/inFlight.js";
import { useLiveQuery } from "../graphql/useLiveQuery.js";
import {
  PUSH_DOWNLOADER_PORT_MUTATION,
  START_TUNNEL_MUTATION,
  STOP_TUNNEL_MUTATION,
  TUNNEL_STATS_QUERY,
  TUNNEL_UPDATED_SUBSCRIPTION,
  TUNNELS_QUERY,
} from "./documents.js";
import { turnedOpen } from "./openSince.js";
import { type ByteSample, extendHistory, type ThroughputPoint } from "./throughput.js";
import type { Tunnel } from "./types.js";

/** How often the counters are read for the throughput line; states arrive as events, not by this. */
export const SAMPLE_INTERVAL_MS = 2_000;

export interface LiveTunnels {
  tunnels: readonly Tunnel[];
  loading: boolean;
  loadError: string | null;
  /** Throughput history per tunnel id, newest last. */
  history: ReadonlyMap<string, readonly ThroughputPoint[]>;
  /**
   * When this page saw each tunnel turn OPEN (ms since the epoch); absent when it was open already.
   * The uptime's start while `Tunnel.openSince` has not arrived yet.
   */
  openSeen: ReadonlyMap<string, number>;
  /** Ids with a start or stop request under way. */
  busy: ReadonlySet<string>;
  actionError: string | null;
  start(id: string): Promise<void>;
  stop(id: string): Promise<void>;
  /** Ids with a "push the port again" under way. */
  pushing: ReadonlySet<string>;
  /** Why the daemon refused the last push, per tunnel id; cleared by the next push that it took. */
  pushErrors: ReadonlyMap<string, string>;
  pushPort(id: string): Promise<void>;
}

const none: readonly Tunnel[] = [];

/** One tunnel replaced by a newer view of it, or added. */
function upsert(list: readonly Tunnel[], incoming: Tunnel): readonly Tunnel[] {
  return list.some((tunnel) => tunnel.id === incoming.id)
    ? list.map((tunnel) => (tunnel.id === incoming.id ? incoming : tunnel))
    : [...list, incoming];
}

/**
 * Tunnels as they stand: loaded once per client and `reloadKey` (bumped after a reconnection, when
 * events may have been missed), then kept current by `tunnelUpdated`; counters are sampled every
 * {@link SAMPLE_INTERVAL_MS} for the throughput line.
 */
export function useLiveTunnels(client: Client, reloadKey: number): LiveTunnels {
  const [history, setHistory] = useState<ReadonlyMap<string, readonly ThroughputPoint[]>>(new Map());
  const [openSeen, setOpenSeen] = useState<ReadonlyMap<string, number>>(new Map());
  const busy = useInFlight();
  const pushing = useInFlight();
  const [actionError, setActionError] = useState<string | null>(null);
  const [pushErrors, setPushErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const lastSample = useRef(new Map<string, ByteSample>());
  const events = useRef(new EventTally());

  const live = useLiveQuery(client, reloadKey, {
    query: TUNNELS_QUERY,
    subscription: TUNNEL_UPDATED_SUBSCRIPTION,
    initial: none,
    loaded: (data) => data.tunnels,
    event: (data, list) => upsert(list, data.tunnelUpdated),
    onEvent: (data) => events.current.saw(data.tunnelUpdated.id),
  });
  const { update } = live;
  const tunnels = live.value;

  // Notes when a tunnel the page already knew turns OPEN: the best start of its uptime the page has.
  const lastStates = useRef(new Map<string, string>());
  useEffect(() => {
    const opened = turnedOpen(lastStates.current, tunnels);
    lastStates.current = new Map(tunnels.map((tunnel) => [tunnel.id, tunnel.state]));
    if (opened.length > 0) {
      const now = Date.now();
      setOpenSeen((seen) => {
        const next = new Map(seen);
        for (const id of opened) next.set(id, now);
        return next;
      });
    }
  }, [tunnels]);

  useEffect(() => {
    let active = true;
    const sample = async () => {
      const result = await client.query(TUNNEL_STATS_QUERY, {}).toPromise();
      if (!active || !result.data) return;
      const now = Date.now();
      const read = result.data.tunnels;
      update((list) =>
        list.map((tunnel) => {
          const fresh = read.find((entry) => entry.id === tunnel.id);
          return fresh ? { ...tunnel, stats: fresh.stats } : tunnel;
        }),
      );
      setHistory((old) => {
        const next = new Map<string, readonly ThroughputPoint[]>();
        for (const { id, stats } of read) {
          if (stats.bytesIn === null || stats.bytesOut === null) {
            // Not known (the tunnel is not forwarding): no point, and the next known reading starts afresh.
            lastSample.current.delete(id);
            next.set(id, old.get(id) ?? []);
            continue;
          }
          const sampleNow = { at: now, bytesIn: stats.bytesIn, bytesOut: stats.bytesOut };
          next.set(id, extendHistory(old.get(id) ?? [], lastSample.current.get(id), sampleNow));
          lastSample.current.set(id, sampleNow);
        }
        return next;
      });
    };
    void sample();
    const timer = setInterval(() => void sample(), SAMPLE_INTERVAL_MS);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [client, update]);

  const act = useCallback(
    async (id: string, which: "start" | "stop") => {
      await busy.during(id, async () => {
        const sent = events.current.mark(id);
        const result =
          which === "start"
            ? await client
                .mutation(START_TUNNEL_MUTATION, { id })
                .toPromise()
                .then(({ data, error }) => ({ error, tunnel: data?.startTunnel }))
            : await client
                .mutation(STOP_TUNNEL_MUTATION, { id })
                .toPromise()
                .then(({ data, error }) => ({ error, tunnel: data?.stopTunnel }));
        const { tunnel } = result;
        if (result.error || !tunnel) {
          setActionError(result.error?.message ?? "empty answer");
          return;
        }
        setActionError(null);
        // Start answers while the tunnel is still OPENING; its OPEN event may have come first.
        if (!events.current.overtaken(id, sent)) update((list) => upsert(list, tunnel));
      });
    },
    [busy.during, client, update],
  );

  const start = useCallback((id: string) => act(id, "start"), [act]);
  const stop = useCallback((id: string) => act(id, "stop"), [act]);

  // The push's progress and outcome (verified, refused, retrying) arrive as tunnelUpdated; the answer
  // here only says whether the daemon began it, or why not (no public port yet).
  const pushPort = useCallback(
    async (id: string) => {
      await pushing.during(id, async () => {
        const result = await client.mutation(PUSH_DOWNLOADER_PORT_MUTATION, { id }).toPromise();
        const began = Boolean(result.data?.pushDownloaderPort);
        setPushErrors((old) => {
          const next = new Map(old);
          if (result.error || !began) next.set(id, result.error?.message ?? "empty answer");
          else next.delete(id);
          return next;
        });
      });
    },
    [pushing.during, client],
  );

  return {
    tunnels,
    loading: live.loading,
    loadError: live.loadError,
    history,
    openSeen,
    busy: busy.keys,
    actionError,
    start,
    stop,
    pushing: pushing.keys,
    pushErrors,
    pushPort,
  };
}
