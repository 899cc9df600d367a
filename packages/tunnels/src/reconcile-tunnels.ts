import { isDeepStrictEqual } from "node:util";
import type { AutostunConfig, TunnelConfig } from "@autostun/config";
import type { Logger } from "@autostun/plugins-api";
import {
  BanFileWatcher,
  type BanList,
  type GeoLookup,
  MaxmindGeo,
  NftablesForwardingError,
  TargetRefusedError,
} from "@autostun/relay";
import { namedCommandsChanged } from "./input/named-commands.js";
import type { RunningTunnel, TunnelEnvironment } from "./running-tunnel.js";
import type { TunnelOrigin } from "./tunnel-view.js";

/** What a reload did to the tunnels, by id. */
export interface TunnelChanges {
  started: string[];
  stopped: string[];
  restarted: string[];
  unchanged: string[];
}

/** A reloaded config the relay cannot run; nothing was changed. `key` names the config key, as config errors do. */
export class ReloadRefused extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "ReloadRefused";
  }
}

/** The parts of the relay manager a reload changes; the manager hands them over for one call. */
export interface RelayParts {
  /** The config the relay runs with now (the old one until the reload finished). */
  config: AutostunConfig;
  tunnels: ReadonlyMap<string, RunningTunnel>;
  env: TunnelEnvironment;
  bans: BanList;
  logger: Logger;
  create(config: TunnelConfig, origin: TunnelOrigin, env: TunnelEnvironment): Promise<RunningTunnel>;
  add(running: RunningTunnel): Promise<void>;
  remove(running: RunningTunnel): Promise<void>;
  banFile: BanFileWatcher | undefined;
  setBanFile(watcher: BanFileWatcher | undefined): void;
  setGeo(geo: Promise<GeoLookup | undefined> | undefined): void;
}

interface Replacement {
  running: RunningTunnel;
  replaces: RunningTunnel | undefined;
}

/**
 * Brings the tunnels in line with a reloaded config. A tunnel is compared as a whole object together
 * with what it was built from (the STUN servers and keep-alive every tunnel punches with; GeoIP for
 * the user-space forwarder): equal means it stays up with its live connections, different means it alone
 * is stopped and started again. Everything new is checked before anything stops, so a refused target or
 * GeoIP file leaves the running tunnels as they were.
 */
export async function reconcileTunnels(next: AutostunConfig, relay: RelayParts): Promise<TunnelChanges> {
  const old = relay.config;
  const punchChanged =
    !isDeepStrictEqual(old.stun.tcp, next.stun.tcp) ||
    !isDeepStrictEqual(old.stun.udp, next.stun.udp) ||
    !isDeepStrictEqual(old.keepalive, next.keepalive);
  const geoChanged = !isDeepStrictEqual(old.geoip, next.geoip);
  const rebuilt = (config: TunnelConfig) =>
    punchChanged ||
    (geoChanged && config.forward !== "nftables") ||
    namedCommandsChanged(config, old.commands, next.commands);
  const commands = next.commands ?? {};
  const env: TunnelEnvironment = {
    ...relay.env,
    stunServers: next.stun.tcp,
    stunUdpServers: next.stun.udp,
    keepalive: next.keepalive,
    commands,
  };

  // Open the new GeoIP files first: a path that does not open refuses the reload.
  let geo: Promise<GeoLookup | undefined> | undefined;
  if (geoChanged && (next.geoip.city || next.geoip.asn)) {
    geo = MaxmindGeo.open({
      city: next.geoip.city ?? null,
      asn: next.geoip.asn ?? null,
      logger: relay.logger,
    });
    try {
      await geo;
    } catch (error) {
      throw new ReloadRefused("geoip", (error as Error).message);
    }
  }

  const changes: TunnelChanges = { started: [], stopped: [], restarted: [], unchanged: [] };
  const replacements: Replacement[] = [];
  const wanted = new Set(next.tunnels.map((t) => t.id));
  for (const [index, config] of next.tunnels.entries()) {
    const current = relay.tunnels.get(config.id);
    if (current?.origin === "config" && isDeepStrictEqual(current.config, config) && !rebuilt(config)) {
      changes.unchanged.push(config.id);
      continue;
    }
    replacements.push({
      running: await created(relay, config, "config", env, `tunnels[${index}]`),
      replaces: current,
    });
    (current ? changes.restarted : changes.started).push(config.id);
  }
  const retired: RunningTunnel[] = [];
  for (const running of relay.tunnels.values()) {
    const { id } = running.config;
    if (wanted.has(id)) continue;
    if (running.origin === "config") {
      retired.push(running);
      changes.stopped.push(id);
    } else if (rebuilt(running.config)) {
      // Saved through the API: its definition is unchanged, but what it punches with is not.
      replacements.push({
        running: await created(relay, running.config, "api", env, `tunnel ${id}`),
        replaces: running,
      });
      changes.restarted.push(id);
    } else changes.unchanged.push(id);
  }

  // Checked; from here on the new config is applied.
  Object.assign(relay.env, {
    stunServers: next.stun.tcp,
    stunUdpServers: next.stun.udp,
    keepalive: next.keepalive,
    commands,
  });
  if (geoChanged) relay.setGeo(geo);
  if (old.bans.file !== next.bans.file) await swapBanFile(relay, next.bans.file);
  // Every old one first: a new tunnel may take a port an old one frees.
  for (const running of retired) await relay.remove(running);
  for (const { replaces } of replacements) if (replaces) await relay.remove(replaces);
  for (const { running } of replacements) await relay.add(running);
  return changes;
}

async function created(
  relay: RelayParts,
  config: TunnelConfig,
  origin: TunnelOrigin,
  env: TunnelEnvironment,
  where: string,
): Promise<RunningTunnel> {
  try {
    return await relay.create(config, origin, env);
  } catch (error) {
    if (error instanceof TargetRefusedError || error instanceof NftablesForwardingError)
      throw new ReloadRefused(where, error.message);
    throw error;
  }
}

/** Lifts the old file's bans and loads the new file's; a missing new file is a warning, as at start. */
async function swapBanFile(relay: RelayParts, path: string | undefined): Promise<void> {
  const previous = relay.banFile;
  if (previous) {
    previous.stop();
    const { notApplied } = await relay.bans.replaceSource(`file:${previous.path}`, []);
    for (const { enforcer, error } of notApplied)
      relay.logger.error(`tunnel "${enforcer}" could not lift the old ban-list file's bans: ${error}`);
  }
  if (!path) {
    relay.setBanFile(undefined);
    return;
  }
  const watcher = new BanFileWatcher({ path, bans: relay.bans, logger: relay.logger });
  relay.setBanFile(watcher);
  const load = await watcher.start();
  relay.logger.info("ban-list file loaded after a reload", {
    path: watcher.path,
    found: load.found,
    bans: load.total,
  });
}
