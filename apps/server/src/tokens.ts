import type { AutostunConfig } from "@autostun/config";
import type {
  CheckContributions,
  CheckEngine,
  CheckStore,
  DownloaderContributions,
  ExtensionHost,
  ExtensionPointRegistry,
  ExtensionSource,
} from "@autostun/extension-host";
import type { EventBus, Lifecycle, RootLogger } from "@autostun/runtime";
import type { Db } from "@autostun/store";
import type { DownloaderDiscovery, RelayManager } from "@autostun/tunnels";
import type { DaemonEvents } from "./events/daemon-events.js";

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
