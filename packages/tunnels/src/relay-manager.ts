import { join } from "node:path";
import type { AutostunConfig, TunnelConfig } from "@autostun/config";
import {
  type CommandRunner,
  DisposableStore,
  type Logger,
  type TunnelActivityEntry,
} from "@autostun/plugins-api";
import { findPinholeGateway, PinholeKeeper } from "@autostun/portmapper";
import {
  AUTOSTUN_TABLE,
  BanFileWatcher,
  type BanInput,
  BanList,
  type BanManyOutcome,
  type BanNotApplied,
  type BanOutcome,
  type ConnectionRecord,
  ConnectionTable,
  type GeoLookup,
  KernelStateFile,
  MaxmindGeo,
  NftablesForwardingError,
  NftablesTable,
  sweepKernelLeftovers,
  TargetRefusedError,
  type TunnelTiming,
  type UnbanOutcome,
} from "@autostun/relay";
import type { EventChannel } from "@autostun/runtime";
import { StartupRefused } from "@autostun/runtime";
import type { Db } from "@autostun/store";
import { publishBanChanges } from "./ban-changes.js";
import type { ResolveDownloader } from "./downloaders/tunnel-downloader.js";
import { parseApiTunnel } from "./input/tunnel-input.js";
import { mergeTunnels } from "./input/tunnel-sources.js";
import { createHostIpv6Reader } from "./ipv6/host-ipv6.js";
import type { FindPinholeGateway, PinholeKeeperFactory } from "./ipv6/pinhole-keeper-port.js";
import { type HostIpv6Reader, TunnelIpv6Paths } from "./ipv6/tunnel-ipv6-paths.js";
import { ipv6Activity, type TunnelIpv6View } from "./ipv6/tunnel-ipv6-view.js";
import { UpnpMappings, type UpnpView } from "./port-mapping/port-mappings.js";
import { reconcileTunnels, type TunnelChanges } from "./reconcile-tunnels.js";
import { RunningTunnel, type TunnelEnvironment } from "./running-tunnel.js";
import { SqliteBanStore } from "./store/ban-store.js";
import {
  type ConnectionCursor,
  type ConnectionOrder,
  type ConnectionPage,
  SqliteConnectionStore,
} from "./store/connection-store.js";
import { SavedTunnelStore } from "./store/saved-tunnel-store.js";
import { formatPublic, TunnelArrivals } from "./tunnel-arrivals.js";
import type { TunnelEvents } from "./tunnel-events.js";
import { TunnelRequestError } from "./tunnel-request-error.js";

export { TunnelRequestError } from "./tunnel-request-error.js";

import { TunnelLimits } from "./tunnel-limits.js";
import type { TunnelStats, TunnelView } from "./tunnel-view.js";
import type { TunnelUdpStats } from "./udp/tunnel-udp-view.js";

export interface RelayManagerOptions {
  config: AutostunConfig;
  database: Db;
  bus: EventChannel<TunnelEvents>;
  runner: CommandRunner;
  isPrivileged: boolean;
  logger: (bindings: Record<string, string>) => Logger;
  timing?: Partial<TunnelTiming>;
  /** The adapter factory of a downloader kind (the extension host); without it nothing is pushed. */
  resolveDownloader?: ResolveDownloader;
  /** The IPv6 path's parts; tests hand in fakes, the portmapper's and `ip`/`ss` otherwise. */
  ipv6?: Ipv6PathParts;
}

/** What the tunnels' IPv6 paths are made of; each part absent takes the real one. */
export interface Ipv6PathParts {
  /** How this host's IPv6 addresses and listeners are read (default: `ip -j -6 addr`, `ss -ltnH`). */
  host?: HostIpv6Reader;
  /** The keeper of one port's pinholes (default: the portmapper's). */
  keeper?: PinholeKeeperFactory;
  /** The search for a router that opens pinholes (default: the portmapper's). */
  find?: FindPinholeGateway;
  /** Seconds between two looks at addresses and ports while a tunnel is open. */
  refreshSeconds?: number;
}

/**
 * Every tunnel of the daemon, from the config file and from the API, with what they share: bans
 * (SQLite and an optional file), the connection table (SQLite), GeoIP and the nftables table. Publishes
 * `tunnel.updated` and `connection.event` on the bus.
 */
export class RelayManager {
  readonly bans: BanList;
  private readonly table: ConnectionTable;
  private readonly connections: SqliteConnectionStore;
  private readonly saved: SavedTunnelStore;
  private readonly tunnels = new Map<string, RunningTunnel>();
  private readonly arrivals = new TunnelArrivals();
  private readonly logger: Logger;
  private readonly env: TunnelEnvironment;
  private banFile: BanFileWatcher | undefined;
  private geo: Promise<GeoLookup | undefined> | undefined;
  private nftTable: NftablesTable | undefined;
  /** What we changed in the kernel outside our table, kept in dataDir for the start after a crash. */
  private readonly kernelState: KernelStateFile | undefined;
  private started = false;
  /** What a run subscribed to (bans and connections to the bus); a new store after each stop. */
  private subscriptions = new DisposableStore();
  /** Per tunnel: its changes bridged to the bus, and the home router following it. */
  private readonly perTunnel = new Map<string, DisposableStore>();
  /** The tunnels' mappings on a home router (config `upnp`). */
  private readonly upnp: UpnpMappings;
  /** Each tunnel's IPv6 path and its pinhole on the home router (config `upnp`). */
  private readonly ipv6: TunnelIpv6Paths;
  /** The tunnel cap and the ports no tunnel may forward to (tunnel-limits.ts). */
  private readonly limits: TunnelLimits;

  constructor(private readonly options: RelayManagerOptions) {
    const { config } = options;
    this.logger = options.logger({ module: "relay" });
    const retention = config.connections.retention;
    this.kernelState =
      config.dataDir === ":memory:"
        ? undefined
        : new KernelStateFile(join(config.dataDir, "kernel-state.json"));
    this.connections = new SqliteConnectionStore(options.database, retention);
    this.saved = new SavedTunnelStore(options.database);
    this.bans = new BanList({ store: new SqliteBanStore(options.database), logger: this.logger });
    this.table = new ConnectionTable({
      retention: { maxRecent: retention.maxRows, maxAgeMs: retention.maxAgeHours * 3_600_000 },
      sinks: [this.connections],
      logger: this.logger,
    });
    this.limits = new TunnelLimits(() => this.options.config, this.tunnels);
    this.env = {
      ownPorts: (except) => this.limits.ownPorts(except),
      stunServers: config.stun.tcp,
      stunUdpServers: config.stun.udp,
      keepalive: config.keepalive,
      bans: this.bans,
      table: this.table,
      geo: () => this.openGeo(),
      nftables: () => {
        this.nftTable ??= new NftablesTable(options.runner, this.logger, AUTOSTUN_TABLE, {
          ...(this.kernelState ? { stateFile: this.kernelState } : {}),
        });
        return this.nftTable;
      },
      runner: options.runner,
      isPrivileged: options.isPrivileged,
      logger: options.logger,
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.resolveDownloader ? { resolveDownloader: options.resolveDownloader } : {}),
      commands: config.commands ?? {},
      portHolder: (port, except) => {
        for (const [id, running] of this.tunnels) {
          const { state, listenPort } = running.tunnel.status;
          if (id !== except && state !== "STOPPED" && listenPort === port) return id;
        }
        return undefined;
      },
    };
    this.upnp = new UpnpMappings(config.upnp, options.logger({ module: "upnp" }), (id) => {
      const running = this.tunnels.get(id);
      if (running) this.options.bus.publish("tunnel.updated", running.view());
    });
    const ipv6 = options.ipv6 ?? {};
    this.ipv6 = new TunnelIpv6Paths({
      upnp: config.upnp,
      logger: options.logger({ module: "ipv6" }),
      changed: (id) => {
        const running = this.tunnels.get(id);
        if (running) this.options.bus.publish("tunnel.updated", running.view());
      },
      host: ipv6.host ?? createHostIpv6Reader(options.runner),
      keeper: ipv6.keeper ?? ((keeper) => new PinholeKeeper(keeper)),
      find: ipv6.find ?? findPinholeGateway,
      ...(ipv6.refreshSeconds ? { refreshSeconds: ipv6.refreshSeconds } : {}),
    });
  }

  /**
   * Restores bans and the connection history, checks every tunnel (a refused target or forwarding
   * mode stops the daemon from starting, naming the tunnel), then starts them all.
   */
  async start(): Promise<void> {
    // Every start, tunnels or not: a killed run's table and route_localnet must not outlive it.
    await sweepKernelLeftovers({
      runner: this.options.runner,
      tables: [AUTOSTUN_TABLE],
      ...(this.kernelState ? { stateFile: this.kernelState } : {}),
      nftables: this.options.isPrivileged,
      logger: this.logger,
    });
    const closed = this.connections.recoverFromLastRun();
    if (closed > 0) this.logger.info(`marked ${closed} connections of the previous run as closed`);
    await this.bans.load();
    if (this.options.config.bans.file) {
      this.banFile = new BanFileWatcher({
        path: this.options.config.bans.file,
        bans: this.bans,
        logger: this.logger,
      });
      const load = await this.banFile.start();
      this.logger.info("ban-list file loaded", {
        path: this.banFile.path,
        found: load.found,
        bans: load.total,
      });
    }
    this.subscriptions.add(
      publishBanChanges(this.bans, (change) => this.options.bus.publish("bans.changed", change)),
    );
    this.subscriptions.add(
      this.table.onEvent((event) => {
        if (event.type === "opened") {
          this.arrivals.record(event.connection, this.tunnels.get(event.connection.tunnelId)?.view());
        }
        this.options.bus.publish("connection.event", event);
      }),
    );
    const sourced = mergeTunnels(
      this.options.config.tunnels,
      this.saved,
      this.logger,
      this.env.commands ?? {},
    );
    const made: RunningTunnel[] = [];
    for (const { config, origin } of sourced) {
      if (this.limits.skipAtStart(config.id, made.length, this.logger)) continue;
      try {
        made.push(await RunningTunnel.create(config, origin, this.env));
      } catch (error) {
        if (origin === "api" && isRefusal(error)) {
          // Exiting would leave the user no API to delete it with; the file's own tunnels do stop the start.
          this.logger.error(
            `tunnel ${config.id} (saved through the API) is not started: ${(error as Error).message}`,
          );
          continue;
        }
        throw isRefusal(error) ? new StartupRefused((error as Error).message) : error;
      }
    }
    if (this.options.config.geoip.city || this.options.config.geoip.asn) {
      try {
        await this.openGeo();
      } catch (error) {
        throw new StartupRefused((error as Error).message);
      }
    }
    this.started = true;
    for (const running of made) await this.add(running);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.tunnels.values()].map((running) => running.stop()));
    await Promise.all([this.upnp.stop(), this.ipv6.stop()]);
    const subscriptions = this.subscriptions;
    this.subscriptions = new DisposableStore();
    subscriptions.dispose();
    this.banFile?.stop();
    this.table.flush();
    this.table.dispose();
    this.bans.dispose();
    this.connections.stop();
  }

  /** The tunnel's mapping on the home router; undefined when `upnp` is off or it has not opened yet. */
  upnpStatus(id: string): UpnpView | undefined {
    return this.upnp.status(id);
  }

  /** The tunnel's IPv6 path and pinhole; undefined until it has opened. */
  ipv6Status(id: string): TunnelIpv6View | undefined {
    return this.ipv6.status(id);
  }

  /** The tunnels' mappings on the home router, and their shared router search, for `upnp.gateway`. */
  get upnpGateway(): Pick<UpnpMappings, "held" | "searchGateway"> {
    return this.upnp;
  }

  list(): TunnelView[] {
    return [...this.tunnels.values()].map((running) => running.view());
  }

  get(id: string): TunnelView | undefined {
    return this.tunnels.get(id)?.view();
  }

  stats(id: string): Promise<TunnelStats | null> {
    return this.require(id).stats();
  }

  /** The UDP side's counters; null when the tunnel has no UDP side or they are not known. */
  udpStats(id: string): Promise<TunnelUdpStats | null> {
    return this.require(id).udpStats();
  }

  async startTunnel(id: string): Promise<TunnelView> {
    const running = this.require(id);
    await running.start();
    return running.view();
  }

  async stopTunnel(id: string): Promise<TunnelView> {
    const running = this.require(id);
    await running.stop();
    return running.view();
  }

  /** Pushes the tunnel's public port to its downloader again now (after the user fixed the client). */
  pushDownloaderPort(id: string): TunnelView {
    const running = this.require(id);
    if (!running.config.downloader)
      throw new TunnelRequestError(
        `tunnel ${id} has no downloader configured; add one with saveTunnel or in the config file`,
        "NO_DOWNLOADER",
      );
    if (!running.retryDownloader())
      throw new TunnelRequestError(
        `tunnel ${id} has no public port to push yet; start it and wait until it is OPEN`,
        "NOT_OPEN",
      );
    return running.view();
  }

  /**
   * Creates or replaces a tunnel from the API, validated like the config file, and starts it. Saved only
   * once the target passed, so a restart never meets a tunnel the API refused.
   */
  async saveTunnel(input: unknown): Promise<TunnelView> {
    // No program of its own, only a name from the file's commands: hooks run with the daemon's rights.
    const config = parseApiTunnel(input, this.env.commands ?? {});
    const existing = this.tunnels.get(config.id);
    if (existing?.origin === "config" || this.options.config.tunnels.some((t) => t.id === config.id))
      throw new TunnelRequestError(
        `tunnel ${config.id} is defined in the config file; change it there, or save this one under another id`,
        "TUNNEL_IN_CONFIG",
      );
    const release = this.limits.reserve(config.id, Boolean(existing));
    try {
      return await this.saveReserved(config, existing);
    } finally {
      release.dispose();
    }
  }

  /** The API port, once the API listens: no tunnel may forward to it (api.listen may say port 0). */
  noteApiPort(port: number, listen: string): void {
    this.limits.noteApiPort(port, listen);
  }

  private async saveReserved(config: TunnelConfig, existing: RunningTunnel | undefined): Promise<TunnelView> {
    let running: RunningTunnel;
    try {
      running = await RunningTunnel.create(config, "api", this.env);
    } catch (error) {
      TunnelLimits.explainCreateFailure(config.id, error);
      if (error instanceof TargetRefusedError)
        throw new TunnelRequestError(`tunnel.target: ${error.message}`, "TARGET_REFUSED");
      if (error instanceof NftablesForwardingError)
        throw new TunnelRequestError(error.message, "FORWARDING_REFUSED");
      throw error;
    }
    // Saved first: when the disk refuses (StorageWriteError), nothing changed, not even the tunnel it replaces.
    this.saved.save(config);
    if (existing) await this.remove(existing);
    this.logger.info(`tunnel ${config.id} saved through the API`, {
      tunnel: config.id,
      target: config.target,
    });
    await this.add(running);
    return running.view();
  }

  /** Stops an API tunnel, frees its port and forgets it; config-file tunnels are the file's to remove. */
  async deleteTunnel(id: string): Promise<boolean> {
    const running = this.tunnels.get(id);
    if (running?.origin === "config")
      throw new TunnelRequestError(
        `tunnel ${id} is defined in the config file; remove it there and restart AutoSTUN`,
        "TUNNEL_IN_CONFIG",
      );
    // Forgotten on disk first: a deletion the disk refused leaves the tunnel running, as the answer says.
    const removed = this.saved.remove(id);
    if (running) await this.remove(running);
    if (running || removed) this.logger.info(`tunnel ${id} deleted through the API`, { tunnel: id });
    return Boolean(running) || removed;
  }

  /**
   * Applies a reloaded config to the tunnels, the ban-list file and GeoIP: unchanged tunnels keep running
   * with their connections, changed ones restart alone (see reconcile-tunnels.ts). Throws ReloadRefused,
   * having changed nothing, when the new config names something the relay cannot run.
   */
  async reconfigure(next: AutostunConfig): Promise<TunnelChanges> {
    if (!this.started) throw new Error("the relay is not running; a reload applies only to a started daemon");
    this.limits.checkReload(next);
    const changes = await reconcileTunnels(next, {
      config: this.options.config,
      tunnels: this.tunnels,
      env: this.env,
      bans: this.bans,
      logger: this.logger,
      create: (config, origin, env) => RunningTunnel.create(config, origin, env),
      add: (running) => this.add(running),
      remove: (running) => this.remove(running),
      banFile: this.banFile,
      setBanFile: (watcher) => {
        this.banFile = watcher;
      },
      setGeo: (geo) => {
        this.geo = geo;
      },
    });
    // After the tunnels: a reload refused above must leave the router's mappings as they were.
    await Promise.all([this.upnp.reconfigure(next.upnp), this.ipv6.reconfigure(next.upnp)]);
    this.options.config = next;
    return changes;
  }

  /** Resolves once every running tunnel applied the ban; those that could not are in `notApplied`. */
  async ban(input: BanInput): Promise<BanOutcome> {
    const outcome = await this.bans.ban(input);
    this.logNotApplied("ban", outcome.ban.cidr, outcome.notApplied);
    return outcome;
  }

  /** Many bans in one go: one store transaction, one ban-set update per tunnel (see `ban`). */
  async banMany(inputs: readonly BanInput[]): Promise<BanManyOutcome> {
    const outcome = await this.bans.banMany(inputs);
    this.logNotApplied("ban", `${outcome.bans.length} networks`, outcome.notApplied);
    return outcome;
  }

  /** Resolves once every running tunnel let the network go (see `ban`). */
  async unban(cidr: string): Promise<UnbanOutcome> {
    const outcome = await this.bans.unban(cidr);
    this.logNotApplied("unban", cidr, outcome.notApplied);
    return outcome;
  }

  private logNotApplied(change: "ban" | "unban", cidr: string, notApplied: readonly BanNotApplied[]): void {
    for (const { enforcer, error } of notApplied)
      this.logger.error(`tunnel "${enforcer}" could not apply the ${change} of ${cidr}; the change is kept`, {
        tunnel: enforcer,
        error,
      });
  }

  /** Newest or biggest first; live byte counts are flushed first so the order matches what is shown. */
  connectionPage(
    tunnelId: string,
    order: ConnectionOrder,
    first: number,
    after?: ConnectionCursor,
  ): ConnectionPage {
    this.table.flush();
    return this.connections.page(tunnelId, order, first, after);
  }

  /** The real peer behind an address the downloader saw: live and recent ones, then the stored history. */
  resolvePeer(address: string): Readonly<ConnectionRecord> | undefined {
    return this.table.resolvePeer(address) ?? this.connections.resolvePeer(normaliseEndpoint(address));
  }

  /** Ports peers must reach on this host: live ones while running, the configured ones otherwise. */
  localPorts(): number[] {
    if (!this.started) return this.options.config.tunnels.map((t) => t.localPort).filter((port) => port > 0);
    return [...new Set([...this.tunnels.values()].flatMap((running) => running.livePorts()))];
  }

  /**
   * Each tunnel's state and the peers that came in during this run. Before start (e.g. `autostun doctor`)
   * the file's tunnels are listed as stopped, so a check can tell "not running" from "none configured".
   */
  async activity(): Promise<TunnelActivityEntry[]> {
    if (!this.started)
      return this.options.config.tunnels.map((t) => ({ id: t.id, state: "STOPPED" as const }));
    const running = [...this.tunnels.values()];
    for (const tunnel of running) {
      const { id, forward } = tunnel.config;
      if (forward !== "nftables" || tunnel.tunnel.status.state === "STOPPED") continue;
      if (!this.arrivals.has(id) && ((await tunnel.stats())?.handled ?? 0) > 0)
        this.arrivals.recordCounted(id, formatPublic(tunnel.tunnel.status.publicAddress));
      // Kernel-forwarded UDP is counted per flow, like TCP: a flow proves that one came, not who.
      const udp = tunnel.view().udp;
      if (udp && !this.arrivals.has(id, "UDP") && ((await tunnel.udpStats())?.handled ?? 0) > 0)
        this.arrivals.recordCounted(id, formatPublic(udp.publicAddress), new Date(), "UDP");
    }
    return running.map((tunnel) => {
      const entry = this.arrivals.describe(tunnel.view());
      const ipv6 = this.ipv6.status(tunnel.config.id);
      return ipv6 ? { ...entry, ipv6: ipv6Activity(ipv6) } : entry;
    });
  }

  private async add(running: RunningTunnel): Promise<void> {
    this.tunnels.set(running.config.id, running);
    const publish = () => this.options.bus.publish("tunnel.updated", running.view());
    const subscriptions = new DisposableStore();
    subscriptions.add(running.tunnel.onChange(publish));
    subscriptions.add(running.onDetailChange(publish));
    subscriptions.add(this.upnp.follow(running.config.id, running.tunnel));
    subscriptions.add(
      this.ipv6.follow(running.config.id, {
        tunnel: running.tunnel,
        port: () => running.downloaderPort,
        target: running.targetPlace,
        udp: running.config.udp,
      }),
    );
    this.perTunnel.set(running.config.id, subscriptions);
    await running.start();
  }

  private async remove(running: RunningTunnel): Promise<void> {
    await running.stop();
    this.tunnels.delete(running.config.id);
    this.arrivals.forget(running.config.id);
    this.perTunnel.get(running.config.id)?.dispose();
    this.perTunnel.delete(running.config.id);
  }

  private require(id: string): RunningTunnel {
    const running = this.tunnels.get(id);
    if (!running) throw new TunnelRequestError(`there is no tunnel ${id}`, "UNKNOWN_TUNNEL");
    return running;
  }

  private openGeo(): Promise<GeoLookup | undefined> {
    const { city, asn } = this.options.config.geoip;
    this.geo ??= MaxmindGeo.open({ city: city ?? null, asn: asn ?? null, logger: this.logger });
    return this.geo;
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof TargetRefusedError || error instanceof NftablesForwardingError;
}

/** `[::ffff:127.1.2.3]:5` is stored as `127.1.2.3:5`, the way the forwarder records it. */
function normaliseEndpoint(address: string): string {
  return address.trim().replace(/^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]/i, "$1");
}
