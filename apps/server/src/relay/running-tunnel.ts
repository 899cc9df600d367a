import type { CommandRunner, Logger } from "@autostun/plugins-api";
import {
  type BanList,
  type ConnectionTable,
  Forwarder,
  type ForwardTarget,
  type GeoLookup,
  NftablesForwarding,
  NftablesForwardingError,
  type NftablesTable,
  Tunnel,
  type TunnelTiming,
  validateTarget,
} from "@autostun/relay";
import type { TunnelConfig } from "../config/schema.js";
import { nftablesPermitted } from "./nftables-permission.js";
import { NO_STATS, type TunnelOrigin, type TunnelStats, type TunnelView } from "./tunnel-view.js";

/** What every tunnel of one daemon shares. */
export interface TunnelEnvironment {
  stunServers: readonly string[];
  keepalive: { target: string; intervalSeconds: number };
  bans: BanList;
  table: ConnectionTable;
  geo: () => Promise<GeoLookup | undefined>;
  /** One nftables table per daemon, made on first use. */
  nftables: () => NftablesTable;
  runner: CommandRunner;
  isPrivileged: boolean;
  logger: (bindings: Record<string, string>) => Logger;
  /** Shorter timings for tests; the engine's defaults otherwise. */
  timing?: Partial<TunnelTiming>;
}

/**
 * One configured tunnel with its forwarding: a user-space Forwarder behind the tunnel's listener, or
 * kernel DNAT following the tunnel's port. The Tunnel lives as long as this object; forwarding is made
 * afresh on each start, since a stopped forwarder refuses peers for good.
 */
export class RunningTunnel {
  readonly tunnel: Tunnel;
  private forwarder: Forwarder | undefined;
  private nftables: NftablesForwarding | undefined;
  private readonly logger: Logger;

  private constructor(
    readonly config: TunnelConfig,
    readonly origin: TunnelOrigin,
    private readonly target: ForwardTarget,
    private readonly env: TunnelEnvironment,
  ) {
    this.logger = env.logger({ module: "relay", tunnel: config.id });
    this.tunnel = new Tunnel({
      id: config.id,
      localPort: config.localPort,
      stunServers: env.stunServers,
      keepalive: env.keepalive,
      logger: this.logger,
      inbound: config.forward === "nftables" ? { kind: "kernel-dnat" } : { kind: "listen-on-p" },
      handler: {
        // Peers reach whichever forwarder the current run made; between runs nothing listens.
        handle: (socket) => (this.forwarder ? this.forwarder.handle(socket) : socket.destroy()),
      },
      ...(env.timing ? { timing: env.timing } : {}),
    });
  }

  /**
   * Checks everything that can be known before punching: the target is loopback, LAN or this host
   * (TargetRefusedError otherwise), and `forward: nftables` can run here (NftablesForwardingError).
   */
  static async create(config: TunnelConfig, origin: TunnelOrigin, env: TunnelEnvironment) {
    const target = await validateTarget(config.id, config.target);
    if (config.forward === "nftables" && !(await nftablesPermitted(env.runner, env.isPrivileged))) {
      throw new NftablesForwardingError(
        config.id,
        "needs root (or CAP_NET_ADMIN, e.g. systemd's AmbientCapabilities) to load kernel rules, and nft refused this daemon's user",
        'Run AutoSTUN as root, or set forward: "userspace" for this tunnel to forward in this process instead.',
      );
    }
    const running = new RunningTunnel(config, origin, target, env);
    if (config.forward === "nftables") running.makeNftables();
    return running;
  }

  view(): TunnelView {
    return { config: this.config, origin: this.origin, status: this.tunnel.status };
  }

  async start(): Promise<void> {
    if (this.tunnel.status.state !== "STOPPED") return;
    if (this.config.forward === "nftables") {
      const nftables = this.nftables ?? this.makeNftables();
      nftables.follow(this.tunnel, { onError: () => void this.tunnel.stop() });
    } else {
      const geo = await this.env.geo();
      this.forwarder = new Forwarder({
        target: this.target,
        bans: this.env.bans,
        table: this.env.table,
        logger: this.logger,
        ...(geo ? { geo } : {}),
      });
    }
    this.tunnel.start();
  }

  /** Releases P, closes live connections and takes out kernel rules; resolves when all of that is done. */
  async stop(): Promise<void> {
    await this.tunnel.stop();
    this.forwarder?.close();
    this.forwarder = undefined;
    const nftables = this.nftables;
    this.nftables = undefined;
    await nftables?.stop();
  }

  async stats(): Promise<TunnelStats> {
    if (this.forwarder) {
      const { active, handled, blocked, bytesIn, bytesOut } = this.forwarder.stats();
      return { active, handled, blocked, bytesIn, bytesOut };
    }
    if (this.nftables && this.tunnel.status.state !== "STOPPED") {
      try {
        const { active, handled, blocked, bytesIn, bytesOut } = await this.nftables.stats();
        return { active, handled, blocked, bytesIn, bytesOut };
      } catch (error) {
        this.logger.warn("cannot read the tunnel's nftables counters", { error: (error as Error).message });
      }
    }
    return NO_STATS;
  }

  /** The ports inbound peers must reach on this host while the tunnel runs. */
  livePorts(): number[] {
    const { state, localPort, listenPort } = this.tunnel.status;
    if (state === "STOPPED") return [];
    const ports = [localPort ?? this.config.localPort, listenPort].filter(
      (port): port is number => typeof port === "number" && port > 0,
    );
    return [...new Set(ports)];
  }

  private makeNftables(): NftablesForwarding {
    this.nftables = new NftablesForwarding({
      tunnelId: this.config.id,
      to: { target: this.target },
      table: this.env.nftables(),
      runner: this.env.runner,
      bans: this.env.bans,
      logger: this.logger,
    });
    return this.nftables;
  }
}
