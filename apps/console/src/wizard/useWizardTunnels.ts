import type { Client } from "@urql/core";
import { useCallback, useRef } from "react";
import { EventTally } from "../graphql/eventTally.js";
import { useLiveQuery } from "../graphql/useLiveQuery.js";
import { SAVE_TUNNEL_MUTATION, WIZARD_TUNNEL_UPDATED, WIZARD_TUNNELS_QUERY } from "./documents.js";
import type { TunnelInput, WizardTunnel } from "./types.js";

/** The daemon's tunnels as they change, and saving the one the wizard sets up. */
export interface WizardTunnels {
  /** Undefined until the first answer. */
  tunnels: readonly WizardTunnel[] | undefined;
  loadError: string | null;
  /** Creates or replaces a tunnel; throws with the daemon's problems or message when it refuses. */
  save(input: TunnelInput): Promise<WizardTunnel>;
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
  const events = useRef(new EventTally());
  const live = useLiveQuery(client, reloadKey, {
    query: WIZARD_TUNNELS_QUERY,
    subscription: WIZARD_TUNNEL_UPDATED,
    initial: undefined as readonly WizardTunnel[] | undefined,
    loaded: (data) => data.tunnels,
    event: (data, list) => upsert(list, data.tunnelUpdated),
    onEvent: (data) => events.current.saw(data.tunnelUpdated.id),
  });
  const { update } = live;

  const save = useCallback(
    async (input: TunnelInput) => {
      const sent = events.current.mark(input.id);
      const result = await client.mutation(SAVE_TUNNEL_MUTATION, { input }).toPromise();
      if (result.error || !result.data) throw new Error(result.error?.message ?? "empty answer");
      const { tunnel, problems } = result.data.saveTunnel;
      // Refused input comes back as data, one problem per key; nothing was saved.
      if (!tunnel) throw new Error(problems.map((p) => `${p.key}: ${p.message}`).join("\n") || "not saved");
      // The saved tunnel answers while it is still OPENING; its OPEN event may have come first.
      if (!events.current.overtaken(tunnel.id, sent)) update((list) => upsert(list, tunnel));
      return tunnel;
    },
    [client, update],
  );

  return { tunnels: live.value, loadError: live.loadError, save };
}
