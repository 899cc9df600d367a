import type { Client } from "@urql/core";
import { useCallback, useState } from "react";
import { useInFlight } from "../graphql/inFlight.js";
import { useLiveQuery } from "../graphql/useLiveQuery.js";
import { BANS_CHANGED_SUBSCRIPTION, BANS_QUERY, UNBAN_MUTATION } from "./documents.js";
import { withoutApiBan } from "./mergeBans.js";
import type { Ban } from "./types.js";

export interface BansState {
  bans: readonly Ban[];
  loading: boolean;
  loadError: string | null;
  actionError: string | null;
  /** CIDRs with an unban under way. */
  lifting: ReadonlySet<string>;
  unban(cidr: string): Promise<void>;
}

const none: readonly Ban[] = [];

/**
 * The ban list: loaded when the page opens and after the WebSocket came back (`reloadKey`), then
 * replaced by every `bansChanged` list the daemon sends — bans made elsewhere, expiries and edits of
 * the ban-list file show up without a reload.
 */
export function useBans(client: Client, reloadKey: number): BansState {
  const live = useLiveQuery(client, reloadKey, {
    query: BANS_QUERY,
    subscription: BANS_CHANGED_SUBSCRIPTION,
    initial: none,
    loaded: (data: { bans: Ban[] }) => data.bans,
    event: (data: { bansChanged: Ban[] }) => data.bansChanged,
  });
  const { update } = live;
  const [actionError, setActionError] = useState<string | null>(null);
  const lifting = useInFlight();

  const unban = useCallback(
    async (cidr: string) => {
      await lifting.during(cidr, async () => {
        const result = await client.mutation<{ unban: boolean }>(UNBAN_MUTATION, { cidr }).toPromise();
        if (result.error || !result.data) {
          setActionError(result.error?.message ?? "empty answer");
          return;
        }
        setActionError(null);
        // The daemon's bansChanged follows; the row goes now rather than a moment later.
        update((held) => withoutApiBan(held, cidr));
      });
    },
    [client, lifting.during, update],
  );

  return {
    bans: live.value,
    loading: live.loading,
    loadError: live.loadError,
    actionError,
    lifting: lifting.keys,
    unban,
  };
}
