import type { Logger } from "@autostun/plugins-api";
import type { TunnelConfig } from "../config/schema.js";
import type { SavedTunnelStore } from "../store/saved-tunnel-store.js";
import { parseTunnel } from "./tunnel-input.js";
import type { TunnelOrigin } from "./tunnel-view.js";

export interface SourcedTunnel {
  config: TunnelConfig;
  origin: TunnelOrigin;
}

/**
 * Config-file tunnels, then those saved through the API. The file wins an id clash: it is what the
 * user edits by hand and what a restart promises, so a saved copy under the same id is skipped, loudly.
 * A saved tunnel the schema no longer accepts is skipped too, and stays stored so it can be deleted.
 */
export function mergeTunnels(
  fromConfig: readonly TunnelConfig[],
  saved: SavedTunnelStore,
  logger: Logger,
): SourcedTunnel[] {
  const merged: SourcedTunnel[] = fromConfig.map((config) => ({ config, origin: "config" }));
  const taken = new Set(fromConfig.map((t) => t.id));
  for (const raw of saved.list()) {
    let config: TunnelConfig;
    try {
      config = parseTunnel(raw);
    } catch (error) {
      logger.error(
        "skipping a tunnel saved through the API: it is no longer valid; delete or save it again",
        {
          id: (raw as { id?: unknown })?.id,
          error: (error as Error).message,
        },
      );
      continue;
    }
    if (taken.has(config.id)) {
      logger.warn(
        `tunnel ${config.id} is defined in the config file and was also saved through the API; the config file wins and the saved one is ignored`,
        { tunnel: config.id },
      );
      continue;
    }
    taken.add(config.id);
    merged.push({ config, origin: "api" });
  }
  return merged;
}
