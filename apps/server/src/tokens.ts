import type { AutostunConfig } from "@autostun/config";
import type {
  CheckContributions,
  CheckEngine,
  CheckStore,
  DiagnosisSchedule,
  DownloaderContributions,
  ExtensionHost,
  ExtensionPointRegistry,
  ExtensionSource,
} from "@autostun/extension-host";
import type { ServiceAccessor, ServiceToken } from "@autostun/plugins-api";
import type { EventBus, Lifecycle, RootLogger } from "@autostun/runtime";
import type { Db } from "@autostun/store";
import type { DownloaderDiscovery, Ipv6PathParts, RelayManager } from "@autostun/tunnels";
import type { DaemonEvents } from "./events/daemon-events.js";
import type { ConfigReloader } from "./lifecycle/reload.js";

/** The HTTP API and console as the container offers it (kept apart so tokens need not import the server). */
export interface ApiService {
  /** Listens on `api.listen`; rejects with the listen error (EADDRINUSE…). */
  start(): Promise<void>;
  /** Where the API answers; throws before it listens. */
  readonly url: string;
  /** Applies a reloaded `api.corsOrigins`. */
  setAllowedOrigins(origins: readonly string[]): void;
  stop(): Promise<void>;
}

/**
 * A DI key that remembers what it resolves to, so `services.get(Tokens.CheckEngine)` is typed without a
 * cast at every call site. The plugin API's `ServiceToken<T>` is the same shape, so both kinds of key go
 * through one typed lookup.
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
  /** What plugins may resolve: the services @autostun/plugins-api names, and nothing else. */
  PluginServices: token<ServiceAccessor>("PluginServices"),
  ExtensionHost: token<ExtensionHost>("ExtensionHost"),
  /** The `contributes` keys features own; a feature registers its point before the host is built. */
  ExtensionPoints: token<ExtensionPointRegistry>("ExtensionPoints"),
  CheckContributions: token<CheckContributions>("CheckContributions"),
  /** The downloader feature's view of `contributes.downloaders`: which plugin provides which kind. */
  DownloaderContributions: token<DownloaderContributions>("DownloaderContributions"),
  CheckEngine: token<CheckEngine>("CheckEngine"),
  /** When the diagnosis runs by itself: at start, every `checks.intervalSeconds`, on network change. */
  DiagnosisSchedule: token<DiagnosisSchedule>("DiagnosisSchedule"),
  ExtensionSources: token<readonly ExtensionSource[]>("ExtensionSources"),
  /** Start and stop of every service, in order. */
  Lifecycle: token<Lifecycle>("Lifecycle"),
  /** Every tunnel, bans and connections. */
  Relay: token<RelayManager>("Relay"),
  /** The IPv6 pinholes' router and host parts: empty for the real ones; tests give fakes. */
  Ipv6PathParts: token<Ipv6PathParts>("Ipv6PathParts"),
  /** Finds downloaders running on this host for `Query.discoveredDownloaders`. */
  DownloaderDiscovery: token<DownloaderDiscovery>("DownloaderDiscovery"),
  /** The HTTP API and console; only in a container built with an API token (the daemon's, not doctor's). */
  Api: token<ApiService>("Api"),
  /** SIGHUP and `Mutation.reloadConfig`. */
  Reloader: token<ConfigReloader>("Reloader"),
} as const;

/** How resolvers and other daemon parts reach services without knowing the container. */
export interface ServiceLookup {
  get<T>(token: Token<T> | ServiceToken<T>): T;
}
