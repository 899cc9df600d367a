import type { NamedCommands, TunnelConfig } from "@autostun/config";
import type { Logger } from "@autostun/plugins-api";
import type { SavedTunnelStore } from "../store/saved-tunnel-store.js";
import type { TunnelOrigin } from "../tunnel-view.js";
import { withoutApiRefusals } from "./api-tunnel-rules.js";
import { parseApiTunnel } from "./tunnel-input.js";

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
  commands: NamedCommands = {},
): SourcedTunnel[] {
  const merged: SourcedTunnel[] = fromConfig.map((config) => ({ config, origin: "config" }));
  const taken = new Set(fromConfig.map((t) => t.id));
  for (const stored of saved.list()) {
    // Saved before programs came only from the file: it keeps running, without what the API may no
    // longer carry, and the log says what was left out until the tunnel is saved again.
    const { tunnel: raw, removed } = withoutApiRefusals(stored, commands);
    if (removed.length > 0) {
      const id = (raw as { id?: unknown })?.id;
      logger.warn(
        `tunnel ${String(id)} (saved through the API) is loaded without ${removed.join(", ")}: a program to run now comes only from the config file's commands and the API may not set reserved headers; these are not run or sent. Name the program under commands: in the config file and save the tunnel again with hooks.commandName or downloader.restartHook.commandName`,
        { tunnel: String(id), removed },
      );
    }
    let config: TunnelConfig;
    try {
      config = parseApiTunnel(raw, commands);
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
