import type { AutostunConfig } from "./config/schema.js";
import type { DownloaderDiscovery } from "./downloaders/discovery/downloader-discovery.js";
import type { DownloaderContributions } from "./downloaders/downloader-contributions.js";
import type { CheckContributions } from "./engine/check-contributions.js";
import type { CheckEngine } from "./engine/engine.js";
import type { EventBus } from "./events/bus.js";
import type { DaemonEvents } from "./events/daemon-events.js";
import type { ExtensionPointRegistry } from "./extensions/extension-points.js";
import type { ExtensionHost, ExtensionSource } from "./extensions/host.js";
import type { Lifecycle } from "./lifecycle/lifecycle.js";
import type { RootLogger } from "./log/logger.js";
import type { RelayManager } from "./relay/relay-manager.js";
import type { CheckStore } from "./store/check-store.js";
import type { Db } from "./store/database.js";

/**
 * A DI key that remembers what it resolves to, so `services.get(Tokens.CheckEngine)` is typed without a
 * cast at every call site.
 */
export type Token<T> = symbol & { readonly __resolves?: T };

function token<T>(name: string): Token<T> {
  return Symbol.for(`autostun.server.${name}`) as Token<T>;
}

/** DI tokens of the daemon's own services (extension-facing tokens live in @autostun/plugins-api). */
export const Tokens = {
  Config: token<AutostunConfig>("Config"),
  RootLogger: token<RootLogger>("RootLogger"),
  Bus: token<EventBus<DaemonEvents>>("Bus"),
  Database: token<Db>("Database"),
  CheckStore: token<CheckStore>("CheckStore"),
  ExtensionHost: token<ExtensionHost>("ExtensionHost"),
  /** The `contributes` keys features own; a feature registers its point before the host is built. */
  ExtensionPoints: token<ExtensionPointRegistry>("ExtensionPoints"),
  CheckContributions: token<CheckContributions>("CheckContributions"),
  /** The downloader feature's view of `contributes.downloaders`: which plugin provides which kind. */
  DownloaderContributions: token<DownloaderContributions>("DownloaderContributions"),
  CheckEngine: token<CheckEngine>("CheckEngine"),
  ExtensionSources: token<readonly ExtensionSource[]>("ExtensionSources"),
  /** Start and stop of every service, in order. */
  Lifecycle: token<Lifecycle>("Lifecycle"),
  /** Every tunnel, bans and connections. */
  Relay: token<RelayManager>("Relay"),
  /** Finds downloaders running on this host for `Query.discoveredDownloaders`. */
  DownloaderDiscovery: token<DownloaderDiscovery>("DownloaderDiscovery"),
} as const;

/** How resolvers and other daemon parts reach services without knowing the container. */
export interface ServiceLookup {
  get<T>(token: Token<T>): T;
}
