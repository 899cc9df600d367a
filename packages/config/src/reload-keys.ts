import { isDeepStrictEqual } from "node:util";
import type { AutostunConfig } from "./schema.js";

/** What a running daemon can do with a new value: take it now, or only at the next start. */
export type KeyEffect = "applies" | "restart";

interface ReloadKey {
  /** The dotted key as the config file writes it. */
  key: string;
  path: readonly string[];
  effect: KeyEffect;
}

const key = (dotted: string, effect: KeyEffect): ReloadKey => ({
  key: dotted,
  path: dotted.split("."),
  effect,
});

/**
 * Every key a reload compares. The ones marked restart are bound to what the daemon opened at start: the
 * listening socket and its token rule, the database, the loaded plugins, the retention the connection
 * table was built with. Any top-level key not listed here (a key added later) counts as needing a restart,
 * so a reload never claims to have applied what nothing applies.
 */
export const RELOAD_KEYS: readonly ReloadKey[] = [
  key("api.listen", "restart"),
  key("api.token", "restart"),
  key("api.corsOrigins", "applies"),
  key("dataDir", "restart"),
  key("locale", "applies"),
  key("log.level", "applies"),
  key("stun.udp", "applies"),
  key("stun.tcp", "applies"),
  key("keepalive", "applies"),
  key("geoip", "applies"),
  key("bans.file", "applies"),
  key("connections.retention", "restart"),
  key("plugins.dirs", "restart"),
  key("plugins.config", "restart"),
  key("checks.intervalSeconds", "applies"),
  key("checks.runOnStart", "applies"),
  key("tunnels", "applies"),
  // Read by saveTunnel on each call; a file with more tunnels than the new cap is refused as it loads.
  key("limits.maxTunnels", "applies"),
  // Tunnels that name a changed command are built again with it (reconcile-tunnels.ts).
  key("commands", "applies"),
  // The home router's mappings: removed, made or made again for the open tunnels (UpnpMappings.reconfigure).
  key("upnp", "applies"),
];

export interface ChangedKey {
  key: string;
  effect: KeyEffect;
}

function read(config: unknown, path: readonly string[]): unknown {
  let value = config;
  for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function write(config: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let parent = config;
  for (const part of path.slice(0, -1)) {
    const child = parent[part];
    // Copied on the way down, so the object a caller passed in is never changed under it.
    parent[part] = typeof child === "object" && child !== null ? { ...(child as object) } : {};
    parent = parent[part] as Record<string, unknown>;
  }
  parent[path.at(-1) as string] = value;
}

/** Every key whose value differs between the running config and the one just read, with its effect. */
export function changedKeys(running: AutostunConfig, next: AutostunConfig): ChangedKey[] {
  const changed: ChangedKey[] = RELOAD_KEYS.filter(
    ({ path }) => !isDeepStrictEqual(read(running, path), read(next, path)),
  ).map(({ key, effect }) => ({ key, effect }));
  const covered = new Set(RELOAD_KEYS.map(({ path }) => path[0]));
  const top = new Set([...Object.keys(running), ...Object.keys(next)]);
  for (const name of top) {
    if (covered.has(name)) continue;
    if (!isDeepStrictEqual(read(running, [name]), read(next, [name])))
      changed.push({ key: name, effect: "restart" });
  }
  return changed;
}

/**
 * The config the daemon runs with after the reload: the new file's values, except that keys needing a
 * restart keep the values the daemon really runs with, so the next reload reports them again.
 */
export function effectiveConfig(
  running: AutostunConfig,
  next: AutostunConfig,
  changed: readonly ChangedKey[],
): AutostunConfig {
  const out = { ...next } as Record<string, unknown>;
  for (const { key: dotted, effect } of changed) {
    if (effect !== "restart") continue;
    const path = RELOAD_KEYS.find((k) => k.key === dotted)?.path ?? [dotted];
    write(out, path, read(running, path));
  }
  return out as AutostunConfig;
}
