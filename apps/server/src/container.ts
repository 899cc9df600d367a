import "reflect-metadata";
import { BUILTIN_EXTENSIONS_DIR } from "@autostun/checks";
import type { AutostunConfig } from "@autostun/config";
import { BUILTIN_DOWNLOADERS_DIR } from "@autostun/downloaders";
import {
  CheckEngine,
  CheckStore,
  diagnosisSchedule,
  ExtensionHost,
  ExtensionPointRegistry,
  type HostOptions,
  registerChecksPoint,
  registerDownloadersPoint,
} from "@autostun/extension-host";
import { type ServiceAccessor, Services, type ServiceToken } from "@autostun/plugins-api";
import { createCommandRunner, createHostInfo, createNetworkInfo, createSystemFiles } from "@autostun/probes";
import { EventBus, Lifecycle, type RootLogger } from "@autostun/runtime";
import type { Db } from "@autostun/store";
import {
  ConfiguredDownloaders,
  createUpnpGatewayProbe,
  DownloaderDiscovery,
  knownTunnels,
  RelayManager,
} from "@autostun/tunnels";
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from "tsyringe";
import type { DaemonEvents } from "./events/daemon-events.js";
import { ApiListener } from "./http/api-listener.js";
import { ConfigReloader } from "./lifecycle/reload.js";
import { type ServiceLookup, type Token, Tokens } from "./tokens.js";

type Key<T> = Token<T> | ServiceToken<T>;

/** A typed resolve: what every factory below uses to reach the services it is made from. */
type Get = <T>(token: Key<T>) => T;

/**
 * Registers a service made once, on first use, from other services. Every service of the daemon is made
 * this way (the check engine and the tunnels alike), so what a service needs is written in one place: its
 * factory, in terms of tokens.
 */
function provide<T>(c: DependencyContainer, token: Key<T>, make: (get: Get) => T): void {
  c.register<T>(token, {
    useFactory: instanceCachingFactory<T>((d) => make(<U>(key: Key<U>) => d.resolve<U>(key))),
  });
}

/** Lets extensions resolve the services the plugin API names, and nothing else of the daemon's. */
class PluginServiceAccessor implements ServiceAccessor {
  private static readonly allowed = new Set<symbol>(Object.values(Services));
  constructor(private readonly container: DependencyContainer) {}

  get<T>(token: ServiceToken<T>): T {
    if (!PluginServiceAccessor.allowed.has(token) || !this.container.isRegistered(token, true)) {
      throw new Error(`the host offers no service ${String(token.description ?? token)}`);
    }
    return this.container.resolve<T>(token);
  }
}

export interface ContainerOptions {
  config: AutostunConfig;
  logger: RootLogger;
  /**
   * The open database. Its opener owns it and closes it (the daemon's lifecycle, or doctor with an
   * in-memory one that must not write under dataDir); every store in the container shares it.
   */
  database: Db;
  /** The API token and the file it came from; without it the container has no `Tokens.Api` (doctor). */
  api?: { token: string; file: string | undefined };
  /** How a reload reads the config again (file, environment, flags); without it reloads are refused. */
  reload?: { load: () => AutostunConfig; file?: string };
  /** Whether the diagnosis runs again when the host's addresses change (default true). */
  followNetwork?: boolean;
}

/** The built container: it resolves, and nothing can be registered in it any more. */
export interface DaemonServices extends ServiceLookup {
  resolve<T>(token: Key<T>): T;
}

/**
 * The extension host with everything it needs from the container; `limits` lets a test suite watch a
 * hung or bloated plugin being stopped without waiting for the production defaults.
 */
export function createExtensionHost(
  get: Get,
  limits: Partial<Pick<HostOptions, "activationTimeoutMs" | "isolation">> = {},
): ExtensionHost {
  const root = get(Tokens.RootLogger);
  const host = new ExtensionHost({
    services: get(Tokens.PluginServices),
    points: get(Tokens.ExtensionPoints),
    checks: get(Tokens.CheckContributions),
    downloaders: get(Tokens.DownloaderContributions),
    logger: (bindings) => root.child(bindings),
    pluginConfig: get(Tokens.Config).plugins.config,
    ...limits,
  });
  host.discover(get(Tokens.ExtensionSources));
  return host;
}

/** A registration for tests: replace one service before the container is sealed. */
export type Overrides = (c: DependencyContainer) => void;

/**
 * The composition root: every service of the daemon, wired once. Tests build their own container with
 * different probes (fixture roots, a namespace's command runner) through `overrides`, which run before the
 * container is handed out; after that it only resolves.
 */
export function buildContainer(options: ContainerOptions, overrides?: Overrides): DaemonServices {
  const c = rootContainer.createChildContainer();
  const { config, logger } = options;
  const scoped = (bindings: Record<string, string>) => logger.child(bindings);
  c.register(Tokens.Config, { useValue: config });
  c.register(Tokens.RootLogger, { useValue: logger });
  c.register(Tokens.Database, { useValue: options.database });
  c.register(Tokens.Bus, { useValue: new EventBus<DaemonEvents>() });
  c.register(Tokens.Lifecycle, { useValue: new Lifecycle(scoped({ module: "lifecycle" })) });
  c.register(Tokens.ExtensionSources, {
    useValue: [
      { dir: BUILTIN_EXTENSIONS_DIR, builtin: true },
      { dir: BUILTIN_DOWNLOADERS_DIR, builtin: true },
      ...config.plugins.dirs.map((dir) => ({ dir, builtin: false })),
    ],
  });

  // What plugins and checks read of the machine.
  c.register(Services.StunSettings, { useValue: { udp: config.stun.udp, tcp: config.stun.tcp } });
  provide(c, Services.SystemFiles, () => createSystemFiles("/"));
  provide(c, Services.CommandRunner, () => createCommandRunner());
  provide(c, Services.NetworkInfo, () => createNetworkInfo());
  provide(c, Services.HostInfo, () => createHostInfo());
  provide(c, Tokens.PluginServices, () => new PluginServiceAccessor(c));

  // The tunnels. The downloader adapters come from plugins, so the host is resolved on first push.
  c.register(Tokens.Ipv6PathParts, { useValue: {} });
  provide(
    c,
    Tokens.Relay,
    (get) =>
      new RelayManager({
        config,
        database: get(Tokens.Database),
        bus: get(Tokens.Bus),
        runner: get(Services.CommandRunner),
        isPrivileged: get(Services.HostInfo).isPrivileged,
        logger: scoped,
        resolveDownloader: (kind) => get(Tokens.ExtensionHost).resolveDownloader(kind),
        ipv6: get(Tokens.Ipv6PathParts),
      }),
  );
  // Live ports (chosen at run time included), so the firewall check judges what is really open.
  provide(c, Services.TunnelPorts, (get) => ({ localPorts: async () => get(Tokens.Relay).localPorts() }));
  provide(c, Services.TunnelActivity, (get) => ({ tunnels: async () => get(Tokens.Relay).activity() }));
  provide(
    c,
    Services.Downloaders,
    (get) =>
      new ConfiguredDownloaders({
        tunnels: () =>
          knownTunnels(
            get(Tokens.Relay)
              .list()
              .map((view) => view.config),
            config.tunnels,
          ),
        resolve: (kind) => get(Tokens.ExtensionHost).resolveDownloader(kind),
        logger: scoped({ module: "downloaders" }),
        // The push's verdict on the settings it uses, so a check does not log in with refused ones again.
        pushed: (id) => {
          const view = get(Tokens.Relay).get(id);
          return view?.config.downloader && view.downloader
            ? { settings: view.config.downloader, status: view.downloader }
            : undefined;
        },
      }),
  );
  provide(
    c,
    Tokens.DownloaderDiscovery,
    (get) =>
      new DownloaderDiscovery({ network: get(Services.NetworkInfo), downloaders: get(Services.Downloaders) }),
  );
  // The tunnels' live mappings and router search answer the check when they can (no test mapping).
  provide(c, Services.UpnpGateway, (get) =>
    createUpnpGatewayProbe(
      () => config.upnp,
      undefined,
      () => get(Tokens.Relay).upnpGateway,
    ),
  );

  // The checks, and the plugins that contribute them.
  provide(c, Tokens.ExtensionPoints, () => new ExtensionPointRegistry());
  provide(c, Tokens.CheckContributions, (get) => registerChecksPoint(get(Tokens.ExtensionPoints)));
  provide(c, Tokens.DownloaderContributions, (get) => registerDownloadersPoint(get(Tokens.ExtensionPoints)));
  provide(c, Tokens.ExtensionHost, (get) => createExtensionHost(get));
  provide(c, Tokens.CheckStore, (get) => new CheckStore(get(Tokens.Database)));
  provide(c, Tokens.CheckEngine, (get) => {
    const hostInfo = get(Services.HostInfo);
    return new CheckEngine({
      host: get(Tokens.ExtensionHost),
      store: get(Tokens.CheckStore),
      bus: get(Tokens.Bus),
      services: get(Tokens.PluginServices),
      logger: scoped,
      platform: hostInfo.platform,
      isPrivileged: hostInfo.isPrivileged,
    });
  });
  provide(c, Tokens.DiagnosisSchedule, (get) =>
    diagnosisSchedule({
      engine: get(Tokens.CheckEngine),
      bus: get(Tokens.Bus),
      logger: scoped({ module: "schedule" }),
      runOnStart: config.checks.runOnStart,
      intervalSeconds: config.checks.intervalSeconds,
      followNetwork: options.followNetwork ?? true,
    }),
  );

  // The API and the reload it offers.
  const services: DaemonServices = {
    resolve: <T>(token: Key<T>) => c.resolve<T>(token),
    get: <T>(token: Key<T>) => c.resolve<T>(token),
  };
  provide(c, Tokens.Api, () => {
    if (!options.api) throw new Error("this container was built without an API token (doctor has no API)");
    return new ApiListener({
      listen: config.api.listen,
      token: options.api.token,
      tokenFile: options.api.file,
      allowedOrigins: config.api.corsOrigins ?? [],
      services,
      logger,
    });
  });
  provide(
    c,
    Tokens.Reloader,
    (get) =>
      new ConfigReloader({
        live: config,
        ...(options.reload ? { load: options.reload.load } : {}),
        ...(options.reload?.file ? { file: options.reload.file } : {}),
        logger,
        targets: {
          relay: (next) => get(Tokens.Relay).reconfigure(next),
          checkSchedule: (checks) => get(Tokens.DiagnosisSchedule).reschedule(checks.intervalSeconds),
          // Checks read the servers from this service each run, so changing it in place reaches the next run.
          stunServers: (stun) => Object.assign(get(Services.StunSettings), { udp: stun.udp, tcp: stun.tcp }),
          corsOrigins: (origins) => get(Tokens.Api).setAllowedOrigins(origins),
          logLevel: (level) => {
            logger.setLevel(level);
          },
        },
      }),
  );
  overrides?.(c);
  return services;
}
