import type { Client } from "@urql/core";
import { useCallback, useEffect, useState } from "react";
import { SAVE_TUNNEL_MUTATION, WIZARD_TUNNEL_UPDATED, WIZARD_TUNNELS_QUERY } from "./documents.js";
import type { WizardTunnel } from "./downloaderChoice.js";

/** The daemon's tunnels as they change, and saving the one the wizard sets up. */
export interface WizardTunnels {
  /** Undefined until the first answer. */
  tunnels: readonly WizardTunnel[] | undefined;
  loadError: string | null;
  /** Creates or replaces a tunnel; throws with the daemon's message when it refuses. */
  save(input: Record<string, unknown>): Promise<WizardTunnel>;
}

function upsert(list: readonly WizardTunnel[] | undefined, tunnel: WizardTunnel): WizardTunnel[] {
  const rest = (list ?? []).filter((known) => known.id !== tunnel.id);
  const index = (list ?? []).findIndex((known) => known.id === tunnel.id);
  if (index === -1) return [...rest, tunnel];
  rest.splice(index, 0, tunnel);
  return rest;
}

/** Loads `tunnels` (again after a reconnect, when `reloadKey` changes) and folds in `tunnelUpdated`. */
export function useWizardTunnels(client: Client, reloadKey: number): WizardTunnels {
  const [tunnels, setTunnels] = useState<readonly WizardTunnel[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey exists to run this again.
  useEffect(() => {
    let active = true;
    void client
      .query<{ tunnels: WizardTunnel[] }>(WIZARD_TUNNELS_QUERY, {})
      .toPromise()
      .then((result) => {
        if (!active) return;
        if (result.error || !result.data) {
          setLoadError(result.error?.message ?? "empty answer");
          return;
        }
        setLoadError(null);
        setTunnels(result.data.tunnels);
      });
    return () => {
      active = false;
    };
  }, [client, reloadKey]);

  useEffect(() => {
    const subscription = client
      .subscription<{ tunnelUpdated: WizardTunnel }>(WIZARD_TUNNEL_UPDATED, {})
      .subscribe((result) => {
        const tunnel = result.data?.tunnelUpdated;
        if (tunnel) setTunnels((list) => upsert(list, tunnel));
      });
    return () => subscription.unsubscribe();
  }, [client]);

  const save = useCallback(
    async (input: Record<string, unknown>) => {
      const result = await client
        .mutation<{ saveTunnel: WizardTunnel }>(SAVE_TUNNEL_MUTATION, { input })
        .toPromise();
      if (result.error || !result.data) throw new Error(result.error?.message ?? "empty answer");
      const tunnel = result.data.saveTunnel;
      setTunnels((list) => upsert(list, tunnel));
      return tunnel;
    },
    [client],
  );

  return { tunnels, loadError, save };
}
