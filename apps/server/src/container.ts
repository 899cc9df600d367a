import "reflect-metadata";
import { BUILTIN_EXTENSIONS_DIR } from "@autostun/checks";
import type { AutostunConfig } from "@autostun/config";
import { BUILTIN_DOWNLOADERS_DIR } from "@autostun/downloaders";
import {
  CheckEngine,
  CheckStore,
  ExtensionHost,
  ExtensionPointRegistry,
  type ExtensionSource,
  type HostOptions,
  registerChecksPoint,
  registerDownloadersPoint,
} from "@autostun/extension-host";
import {
  type CommandRunner,
  type HostInfo,
  type ServiceAccessor,
  Services,
  type ServiceToken,
} from "@autostun/plugins-api";
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
import {
  type DependencyContainer,
  inject,
  injectable,
  instanceCachingFactory,
  container as rootContainer,
} from "tsyringe";
import type { DaemonEvents } from "./events/daemon-events.js";
import { Tokens } from "./tokens.js";

/** Lets extensions resolve the services the plugin API names, and nothing else of the daemon's. */
@injectable()
export class ContainerServiceAccessor implements ServiceAccessor {
  private static readonly allowed = new Set<symbol>(Object.values(Services));
  constructor(@inject("DependencyContainer") private readonly container: DependencyContainer) {}

  get<T>(token: ServiceToken<T>): T {
    if (!ContainerServiceAccessor.allowed.has(token) || !this.container.isRegistered(token, true)) {
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
}

/**
 * The extension host with everything it needs from the container; `limits` lets a test suite watch a
 * hung or bloated plugin being stopped without waiting for the production defaults.
 */
export function createExtensionHost(
  d: DependencyContainer,
  limits: Partial<Pick<HostOptions, "activationTimeoutMs" | "isolation">> = {},
): ExtensionHost {
  const config = d.resolve<AutostunConfig>(Tokens.Config);
  const root = d.resolve<RootLogger>(Tokens.RootLogger);
  const host = new ExtensionHost({
    services: d.resolve(ContainerServiceAccessor),
    points: d.resolve(Tokens.ExtensionPoints),
    checks: d.resolve(Tokens.CheckContributions),
    downloaders: d.resolve(Tokens.DownloaderContributions),
    logger: (bindings) => root.child(bindings),
    pluginConfig: config.plugins.config,
    ...limits,
  });
  host.discover(d.resolve<ExtensionSource[]>(Tokens.ExtensionSources));
  return host;
}

/**
 * The composition root: every service of the daemon, wired once. Tests build their own container with
 * different probes (fixture roots, a namespace's command runner) through `overrides`.
 */
export function buildContainer(options: ContainerOptions, overrides?: (c: DependencyContainer) => void) {
  const c = rootContainer.createChildContainer();
  const { config, logger } = options;
  c.register("DependencyContainer", { useValue: c });
  c.register(Tokens.Config, { useValue: config });
  c.register(Tokens.Lifecycle, { useValue: new Lifecycle(logger.child({ module: "lifecycle" })) });
  c.register(Tokens.RootLogger, { useValue: logger });
  c.register(Tokens.Bus, { useValue: new EventBus<DaemonEvents>() });
  c.register(Tokens.Database, { useValue: options.database });
  c.register(Tokens.CheckStore, {
    useFactory: instanceCachingFactory((d) => new CheckStore(d.resolve<Db>(Tokens.Database))),
  });
  c.register<ExtensionSource[]>(Tokens.ExtensionSources, {
    useValue: [
      { dir: BUILTIN_EXTENSIONS_DIR, builtin: true },
      { dir: BUILTIN_DOWNLOADERS_DIR, builtin: true },
      ...config.plugins.dirs.map((dir) => ({ dir, builtin: false })),
    ],
  });

  c.register(Services.StunSettings, { useValue: { udp: config.stun.udp, tcp: config.stun.tcp } });
  c.register(Services.SystemFiles, { useFactory: instanceCachingFactory(() => createSystemFiles("/")) });
  c.register(Services.CommandRunner, { useFactory: instanceCachingFactory(() => createCommandRunner()) });
  c.register(Services.NetworkInfo, { useFactory: instanceCachingFactory(() => createNetworkInfo()) });
  c.register(Services.HostInfo, { useFactory: instanceCachingFactory(() => createHostInfo()) });
  c.register(Tokens.Relay, {
    useFactory: instanceCachingFactory(
      (d) =>
        new RelayManager({
          config,
          database: d.resolve<Db>(Tokens.Database),
          bus: d.resolve(Tokens.Bus),
          runner: d.resolve<CommandRunner>(Services.CommandRunner),
          isPrivileged: d.resolve<HostInfo>(Services.HostInfo).isPrivileged,
          logger: (bindings) => logger.child(bindings),
          // Resolved on first use: the host is built after the relay and activates plugins lazily.
          resolveDownloader: (kind) => d.resolve<ExtensionHost>(Tokens.ExtensionHost).resolveDownloader(kind),
        }),
    ),
  });
  // Live ports (chosen at run time included), so the firewall check judges what is really open.
  c.register(Services.TunnelPorts, {
    useFactory: (d) => ({ localPorts: async () => d.resolve<RelayManager>(Tokens.Relay).localPorts() }),
  });

  c.register(Services.TunnelActivity, {
    useFactory: (d) => ({ tunnels: async () => d.resolve<RelayManager>(Tokens.Relay).activity() }),
  });

  c.register(Services.Downloaders, {
    useFactory: instanceCachingFactory(
      (d) =>
        new ConfiguredDownloaders({
          tunnels: () =>
            knownTunnels(
              d
                .resolve<RelayManager>(Tokens.Relay)
                .list()
                .map((view) => view.config),
              config.tunnels,
            ),
          resolve: (kind) => d.resolve<ExtensionHost>(Tokens.ExtensionHost).resolveDownloader(kind),
          logger: logger.child({ module: "downloaders" }),
          // The push's verdict on the settings it uses, so a check does not log in with refused ones again.
          pushed: (id) => {
            const view = d.resolve<RelayManager>(Tokens.Relay).get(id);
            return view?.config.downloader && view.downloader
              ? { settings: view.config.downloader, status: view.downloader }
              : undefined;
          },
        }),
    ),
  });
  c.register(Tokens.DownloaderDiscovery, {
    useFactory: instanceCachingFactory(
      (d) =>
        new DownloaderDiscovery({
          network: d.resolve(Services.NetworkInfo),
          downloaders: d.resolve(Services.Downloaders),
        }),
    ),
  });

  c.register(Services.UpnpGateway, {
    // The tunnels' live mappings and router search answer the check when they can (no test mapping).
    useFactory: instanceCachingFactory((d) =>
      createUpnpGatewayProbe(
        () => config.upnp,
        undefined,
        () => d.resolve<RelayManager>(Tokens.Relay).upnpGateway,
      ),
    ),
  });

  c.register(Tokens.ExtensionPoints, {
    useFactory: instanceCachingFactory(() => new ExtensionPointRegistry()),
  });
  c.register(Tokens.CheckContributions, {
    useFactory: instanceCachingFactory((d) => registerChecksPoint(d.resolve(Tokens.ExtensionPoints))),
  });
  c.register(Tokens.DownloaderContributions, {
    useFactory: instanceCachingFactory((d) => registerDownloadersPoint(d.resolve(Tokens.ExtensionPoints))),
  });
  c.register(Tokens.ExtensionHost, { useFactory: instanceCachingFactory((d) => createExtensionHost(d)) });
  c.register(Tokens.CheckEngine, {
    useFactory: instanceCachingFactory((d) => {
      const hostInfo = d.resolve<HostInfo>(Services.HostInfo);
      return new CheckEngine({
        host: d.resolve(Tokens.ExtensionHost),
        store: d.resolve(Tokens.CheckStore),
        bus: d.resolve(Tokens.Bus),
        services: d.resolve(ContainerServiceAccessor),
        logger: (bindings) => logger.child(bindings),
        platform: hostInfo.platform,
        isPrivileged: hostInfo.isPrivileged,
      });
    }),
  });
  overrides?.(c);
  return c;
}
