import type { Client } from "@urql/core";
import { useCallback, useEffect, useState } from "react";
import { CONNECTION_EVENTS_SUBSCRIPTION, CONNECTIONS_CONTEXT_QUERY, CONNECTIONS_QUERY } from "./documents.js";
import {
  applyConnectionEvent,
  applyConnectionSnapshot,
  type ConnectionTable,
  EMPTY_TABLE,
  pruneClosed,
} from "./mergeConnections.js";
import type { ConnectionEvent } from "./types.js";

/** Newest connections loaded per tunnel; older ones stay in the daemon's store. */
const LOAD_PER_TUNNEL = 200;
/** Closed connections the page keeps after they ended, newest first. */
const KEEP_CLOSED = 200;

export interface LiveConnections {
  table: ConnectionTable;
  attribution: string;
  loading: boolean;
  loadError: string | null;
}

/**
 * Every tunnel's connections: the newest {@link LOAD_PER_TUNNEL} of each loaded once per client and
 * `reloadKey`, then kept current by `connectionEvents` (opened, bytes every few seconds, closed).
 */
export function useLiveConnections(client: Client, reloadKey: number): LiveConnections {
  const [table, setTable] = useState<ConnectionTable>(EMPTY_TABLE);
  const [attribution, setAttribution] = useState("");
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);

  const fold = useCallback((event: ConnectionEvent) => {
    setTable((held) => pruneClosed(applyConnectionEvent(held, event, Date.now()), KEEP_CLOSED));
  }, []);

  // Subscribed before the query is sent, so nothing that happens while it is answered is lost.
  useEffect(() => {
    const subscription = client.subscription(CONNECTION_EVENTS_SUBSCRIPTION, {}).subscribe((result) => {
      if (result.data) fold(result.data.connectionEvents);
    });
    return () => subscription.unsubscribe();
  }, [client, fold]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey exists to re-run this.
  useEffect(() => {
    let active = true;
    const load = async () => {
      const context = await client.query(CONNECTIONS_CONTEXT_QUERY, {}).toPromise();
      if (!context.data) throw new Error(context.error?.message ?? "empty answer");
      if (active) setAttribution(context.data.geoAttribution);
      const pages = await Promise.all(
        context.data.tunnels.map(async ({ id }) => {
          const page = await client
            .query(CONNECTIONS_QUERY, { tunnelId: id, first: LOAD_PER_TUNNEL })
            .toPromise();
          if (!page.data) throw new Error(page.error?.message ?? "empty answer");
          return page.data.connections.edges.map((edge) => edge.node);
        }),
      );
      if (!active) return;
      const now = Date.now();
      setTable((held) => pruneClosed(applyConnectionSnapshot(held, pages.flat(), now), KEEP_CLOSED));
      setLoadError(null);
    };
    load()
      .catch((error: unknown) => {
        if (active) setLoadError(error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        if (active) setLoading(false);
      });
    return () => {
      active = false;
    };
  }, [client, reloadKey]);

  return { table, attribution, loading, loadError };
}
