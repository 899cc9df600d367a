import type { Client } from "@urql/core";
import { useCallback, useEffect, useState } from "react";
import { BANS_QUERY, UNBAN_MUTATION } from "./documents.js";
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
  reload(): void;
}

/**
 * The ban list. The daemon pushes no event when a ban changes, so the list is loaded when the page
 * opens, after the WebSocket came back (`reloadKey`), when the window regains focus and after each
 * unban; expired bans drop out on the daemon's side and at the next load.
 */
export function useBans(client: Client, reloadKey: number): BansState {
  const [bans, setBans] = useState<readonly Ban[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [lifting, setLifting] = useState<ReadonlySet<string>>(new Set());
  const [reloads, setReloads] = useState(0);

  const reload = useCallback(() => setReloads((count) => count + 1), []);

  useEffect(() => {
    window.addEventListener("focus", reload);
    return () => window.removeEventListener("focus", reload);
  }, [reload]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the counters exist to re-run this.
  useEffect(() => {
    let active = true;
    void client
      .query<{ bans: Ban[] }>(BANS_QUERY, {})
      .toPromise()
      .then((result) => {
        if (!active) return;
        setLoading(false);
        if (result.error || !result.data) {
          setLoadError(result.error?.message ?? "empty answer");
          return;
        }
        setLoadError(null);
        setBans(result.data.bans);
      });
    return () => {
      active = false;
    };
  }, [client, reloadKey, reloads]);

  const unban = useCallback(
    async (cidr: string) => {
      setLifting((held) => new Set(held).add(cidr));
      try {
        const result = await client.mutation<{ unban: boolean }>(UNBAN_MUTATION, { cidr }).toPromise();
        if (result.error || !result.data) {
          setActionError(result.error?.message ?? "empty answer");
          return;
        }
        setActionError(null);
        setBans((held) => withoutApiBan(held, cidr));
        reload();
      } finally {
        setLifting((held) => {
          const next = new Set(held);
          next.delete(cidr);
          return next;
        });
      }
    },
    [client, reload],
  );

  return { bans, loading, loadError, actionError, lifting, unban, reload };
}
