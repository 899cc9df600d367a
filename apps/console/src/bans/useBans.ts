import type { Client } from "@urql/core";
import { useCallback, useEffect, useState } from "react";
import { useInFlight } from "../graphql/inFlight.js";
import { useLiveQuery } from "../graphql/useLiveQuery.js";
import { BANS_CHANGED_SUBSCRIPTION, BANS_MORE_QUERY, BANS_QUERY, UNBAN_MUTATION } from "./documents.js";
import { applyBanChange, emptyListing, firstPage, nextPage, withoutApiBan } from "./mergeBans.js";
import type { Ban } from "./types.js";

export interface BansState {
  bans: readonly Ban[];
  /** Every ban the daemon holds; more than `bans` until every page was read. */
  total: number;
  hasMore: boolean;
  loadingMore: boolean;
  loading: boolean;
  loadError: string | null;
  actionError: string | null;
  /** CIDRs with an unban under way. */
  lifting: ReadonlySet<string>;
  unban(cidr: string): Promise<void>;
  /** Reads the next page. */
  more(): Promise<void>;
}

/**
 * The ban list, a page at a time: the first page is loaded when the page opens and after the WebSocket
 * came back (`reloadKey`); each `bansChanged` then adds or drops the bans it names. A change too big to
 * name (a ban-list file reload, a bulk ban) makes the page read the first page again.
 */
export function useBans(client: Client, reloadKey: number): BansState {
  const live = useLiveQuery(client, reloadKey, {
    query: BANS_QUERY,
    subscription: BANS_CHANGED_SUBSCRIPTION,
    initial: emptyListing,
    loaded: (data) => firstPage(data.banConnection),
    event: (data, current) => applyBanChange(current, data.bansChanged),
  });
  const { update, reload } = live;
  const [actionError, setActionError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const lifting = useInFlight();

  const stale = live.value.stale;
  useEffect(() => {
    if (stale) reload();
  }, [stale, reload]);

  const endCursor = live.value.endCursor;
  const more = useCallback(async () => {
    if (!endCursor) return;
    setLoadingMore(true);
    try {
      const result = await client.query(BANS_MORE_QUERY, { after: endCursor }).toPromise();
      if (result.error || !result.data) {
        setActionError(result.error?.message ?? "empty answer");
        return;
      }
      const page = result.data.banConnection;
      update((held) => nextPage(held, page));
    } finally {
      setLoadingMore(false);
    }
  }, [client, endCursor, update]);

  const unban = useCallback(
    async (cidr: string) => {
      await lifting.during(cidr, async () => {
        const result = await client.mutation(UNBAN_MUTATION, { cidr }).toPromise();
        if (result.error || !result.data) {
          setActionError(result.error?.message ?? "empty answer");
          return;
        }
        setActionError(null);
        // The daemon's bansChanged follows; the row goes now rather than a moment later.
        update((held) => ({ ...held, bans: withoutApiBan(held.bans, cidr) }));
      });
    },
    [client, lifting.during, update],
  );

  return {
    bans: live.value.bans,
    total: live.value.total,
    hasMore: live.value.hasNextPage,
    loadingMore,
    loading: live.loading,
    loadError: live.loadError,
    actionError,
    lifting: lifting.keys,
    unban,
    more,
  };
}
