import type { NamedCommands, TunnelConfig } from "@autostun/config";
import { type CommandRunner, type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import {
  type BanList,
  type ConnectionTable,
  Forwarder,
  type ForwardTarget,
  type GeoLookup,
  NftablesForwarding,
  NftablesForwardingError,
  type NftablesTable,
  type OwnPort,
  Tunnel,
  type TunnelInbound,
  type TunnelNetwork,
  type TunnelTiming,
  UdpForwarder,
  type UdpMappingTiming,
  validateTarget,
} from "@autostun/relay";
import { choosePath, type PathSituation } from "./downloader-path.js";
import type { ResolveDownloader } from "./downloaders/tunnel-downloader.js";
import { FollowingTarget } from "./following-target.js";
import { nftablesPermitted } from "./nftables-permission.js";
import { TunnelAnnouncer } from "./tunnel-announcer.js";
import type { TunnelOrigin, TunnelStats, TunnelView } from "./tunnel-view.js";
import { type HeldUdp, TunnelUdpSide, type UdpForwarding } from "./udp/tunnel-udp-side.js";
import type { TunnelUdpStats } from "./udp/tunnel-udp-view.js";

/** What every tunnel of one daemon shares. */
export interface TunnelEnvironment {
  stunServers: readonly string[];
  /** `stun.udp`: where UDP mappings are punched and kept; none leaves every tunnel TCP only. */
  stunUdpServers?: readonly string[];
  /** Shorter UDP mapping timings for tests. */
  udpTiming?: Partial<UdpMappingTiming>;
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
  /** Replaces each tunnel's sockets (unit tests drive the tunnel through a scripted network). */
  network?: () => TunnelNetwork;
  /** The adapter factory of a downloader kind; absent where no extension host runs (`doctor`). */
  resolveDownloader?: ResolveDownloader;
  /** Ports of this host the tunnel `except` must not forward to: the API's, the other tunnels'. */
  ownPorts?: (except: string) => OwnPort[];
  /** Which other tunnel's listener holds `port` on this host, if any: never a port to push. */
  portHolder?: (port: number, except: string) => string | undefined;
  /** The config file's `commands`, which hooks pick by name. */
  commands?: NamedCommands;
}

/**
 * One configured tunnel with its forwarding: a user-space Forwarder behind the tunnel's listener, or
 * kernel DNAT following the tunnel's port. The Tunnel lives as long as this object; forwarding is made
 * afresh on each start, since a stopped forwarder refuses peers for good.
 */
export class RunningTunnel {
  readonly tunnel: Tunnel;
  private forwarder: Forwarder | undefined;
  /** The UDP side (absent with `udp: false`), and the user-space forwarder of its peers. */
  private readonly udp: TunnelUdpSide | undefined;
  private udpForwarder: UdpForwarder | undefined;
  private nftables: NftablesForwarding | undefined;
  /** The relay-port path's redirect of P to our listener on R (port-preserving gateway, way b). */
  private redirect: NftablesForwarding | undefined;
  /**
   * The IPv6-only guard at a local downloader's own port, on the user-space paths that load no other
   * rules for it: from the start (the target's port is where the downloader listens until the first
   * push), then at the port pushed; paused while the relay-port redirect guards that port itself.
   */
  private ipv6Guard: NftablesForwarding | undefined;
  /** A downloader on this host behind user-space forwarding, with nftables at hand (see `create`). */
  private readonly guardsIpv6: boolean;
  /** What the guard refused before it was paused: its counters leave the kernel with its rules. */
  private ipv6GuardCarried = { tcp: 0, udp: 0 };
  private readonly logger: Logger;
  /** Where peers are forwarded: the configured host, on the port the downloader was told. */
  private readonly forwardTo: FollowingTarget;
  private readonly announcer: TunnelAnnouncer;
  private readonly changeListeners = new Set<() => void>();
  private inboundKind: TunnelInbound["kind"];

  private constructor(
    readonly config: TunnelConfig,
    readonly origin: TunnelOrigin,
    private readonly target: ForwardTarget,
    private readonly env: TunnelEnvironment,
    situation: PathSituation,
  ) {
    this.logger = env.logger({ module: "relay", tunnel: config.id });
    this.guardsIpv6 = situation.nftablesPermitted;
    this.forwardTo = new FollowingTarget(target);
    this.announcer = new TunnelAnnouncer({
      config,
      resolveDownloader: env.resolveDownloader,
      logger: env.logger,
      verifyHost: target.host,
      ...(env.commands ? { commands: env.commands } : {}),
      onChange: () => this.changed(),
    });
    const inbound: TunnelInbound =
      config.forward === "nftables" ? { kind: "kernel-dnat" } : { kind: "listen-on-p" };
    this.inboundKind = inbound.kind;
    this.tunnel = new Tunnel({
      id: config.id,
      localPort: config.localPort,
      stunServers: env.stunServers,
      keepalive: env.keepalive,
      logger: this.logger,
      inbound,
      // Only a tunnel with a downloader moves it: without one, peers go to the target as configured.
      ...(config.downloader ? { chooseInbound: (ports) => this.choose(situation, ports) } : {}),
      handler: {
        // Peers reach whichever forwarder the current run made; between runs nothing listens.
        handle: (socket) => (this.forwarder ? this.forwarder.handle(socket) : socket.destroy()),
      },
      ...(env.timing ? { timing: env.timing } : {}),
      ...(env.network ? { network: env.network() } : {}),
    });
    const stunUdp = env.stunUdpServers ?? [];
    // A scripted TCP network (unit tests) has no public address a real UDP mapping could match.
    this.udp =
      config.udp && stunUdp.length > 0 && !env.network
        ? new TunnelUdpSide({
            id: config.id,
            configuredLocalPort: config.localPort,
            stunUdp,
            stunTcp: env.stunServers,
            ...(config.udpKeepaliveSeconds ? { keepaliveSeconds: config.udpKeepaliveSeconds } : {}),
            targetOnThisHost: target.scope !== "lan",
            targetPort: () => this.forwardTo.port,
            tunnel: this.tunnel,
            inbound: () => this.inboundKind,
            forwarding: this.udpForwarding(),
            logger: this.logger,
            onChange: () => this.changed(),
            ...(env.udpTiming ? { timing: env.udpTiming } : {}),
          })
        : undefined;
    this.tunnel.onChange(({ status }) => {
      // A listener's rejection would be unhandled and end the daemon: log it beside the tunnel instead.
      if (status.state === "OPEN")
        this.opened().catch((error: unknown) =>
          this.logger.error(`tunnel ${config.id}: announcing the open tunnel failed`, {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    });
  }

  /**
   * Checks everything that can be known before punching: the target is loopback, LAN or this host
   * (TargetRefusedError otherwise), and `forward: nftables` can run here (NftablesForwardingError).
   */
  static async create(config: TunnelConfig, origin: TunnelOrigin, env: TunnelEnvironment) {
    const ownPorts = env.ownPorts;
    const target = await validateTarget(
      config.id,
      config.target,
      ownPorts ? { ownPorts: () => ownPorts(config.id) } : {},
    );
    if (config.forward === "nftables" && !(await nftablesPermitted(env.runner, env.isPrivileged))) {
      throw new NftablesForwardingError(
        config.id,
        "needs root (or CAP_NET_ADMIN, e.g. systemd's AmbientCapabilities) to load kernel rules, and nft refused this daemon's user",
        'Run AutoSTUN as root, or set forward: "userspace" for this tunnel to forward in this process instead.',
      );
    }
    // Only asked where it matters: a downloader on this host behind user-space forwarding.
    const redirectable =
      Boolean(config.downloader) &&
      config.forward === "userspace" &&
      target.scope !== "lan" &&
      (await nftablesPermitted(env.runner, env.isPrivileged));
    const situation: PathSituation = {
      forward: config.forward,
      targetScope: target.scope,
      nftablesPermitted: redirectable,
    };
    const running = new RunningTunnel(config, origin, target, env, situation);
    if (config.forward === "nftables") running.makeNftables();
    return running;
  }

  view(): TunnelView {
    const downloader = this.announcer.downloaderStatus();
    const hooks = this.announcer.hookRun();
    return {
      config: this.config,
      origin: this.origin,
      status: this.tunnel.status,
      ...(downloader ? { downloader } : {}),
      ...(hooks ? { hooks } : {}),
      ...(this.udp ? { udp: this.udp.view() } : {}),
    };
  }

  /** The port peers reach the downloader on: the target's, moved by the path the last open chose. */
  get downloaderPort(): number {
    return this.forwardTo.port;
  }

  /** Where the target is, for placing the downloader on this host or another machine. */
  get targetPlace(): { host: string; scope: ForwardTarget["scope"] } {
    return { host: this.target.host, scope: this.target.scope };
  }

  /** Calls `listener` when the downloader's push or the hooks' outcome changed, until the result is disposed. */
  onDetailChange(listener: () => void): Disposable {
    this.changeListeners.add(listener);
    return toDisposable(() => void this.changeListeners.delete(listener));
  }

  /** Pushes the public port to the downloader again now; false when there is nothing to push yet. */
  retryDownloader(): boolean {
    return this.announcer.retry();
  }

  async start(): Promise<void> {
    if (this.tunnel.status.state !== "STOPPED") return;
    if (this.config.forward === "nftables") {
      const nftables = this.nftables ?? this.makeNftables();
      nftables.follow(this.tunnel, {
        onError: () => void this.tunnel.stop(),
        onLost: (error) => this.tunnel.fail(error.message),
      });
    } else {
      const geo = await this.env.geo();
      this.forwarder = new Forwarder({
        target: this.forwardTo.target,
        bans: this.env.bans,
        table: this.env.table,
        logger: this.logger,
        ...(geo ? { geo } : {}),
        ...(this.config.firstByteTimeoutSeconds
          ? { firstByteTimeoutMs: this.config.firstByteTimeoutSeconds * 1000 }
          : {}),
      });
    }
    // Before the first punch: IPv6 peers reach the downloader at its own address from now on.
    if (this.config.forward === "userspace") await this.placeIpv6Guard(this.forwardTo.port);
    this.announcer.begin();
    this.udp?.start();
    this.tunnel.start();
  }

  /** Releases P, closes live connections and takes out kernel rules; resolves when all of that is done. */
  async stop(): Promise<void> {
    await this.tunnel.stop();
    await this.udp?.stop();
    this.udpForwarder?.close();
    this.udpForwarder = undefined;
    await this.announcer.end();
    this.forwarder?.close();
    this.forwarder = undefined;
    this.forwardTo.reset();
    const nftables = this.nftables;
    this.nftables = undefined;
    await nftables?.stop();
    const redirect = this.redirect;
    this.redirect = undefined;
    await redirect?.stop();
    const guard = this.ipv6Guard;
    this.ipv6Guard = undefined;
    this.ipv6GuardCarried = { tcp: 0, udp: 0 };
    await guard?.stop();
  }

  /**
   * Loads (or moves) the IPv6-only guard at the downloader's `port`, where this tunnel guards one. A
   * refusal is logged and the tunnel goes on: its IPv4 path never depended on these rules.
   */
  private async placeIpv6Guard(port: number): Promise<void> {
    if (!this.guardsIpv6) return;
    this.ipv6Guard ??= new NftablesForwarding({
      // An id of its own: the relay-port redirect may hold the tunnel's id in the same table.
      tunnelId: `${this.config.id}/ipv6`,
      to: { downloaderPort: port },
      table: this.env.nftables(),
      runner: this.env.runner,
      bans: this.env.bans,
      logger: this.logger,
    });
    try {
      await this.ipv6Guard.guardPort(port);
    } catch (error) {
      this.logger.error(
        `tunnel ${this.config.id}: banned IPv6 peers are not refused at the downloader's port ${port}: ${(error as Error).message}`,
      );
    }
  }

  private async pauseIpv6Guard(): Promise<void> {
    const guard = this.ipv6Guard;
    if (!guard) return;
    const counted = await guard.blockedCounts().catch(() => ({ tcp: 0, udp: 0 }));
    await guard.stop().catch((error: Error) => this.logger.warn(error.message));
    this.ipv6GuardCarried = {
      tcp: this.ipv6GuardCarried.tcp + counted.tcp,
      udp: this.ipv6GuardCarried.udp + counted.udp,
    };
  }

  /** The counters, or null when they are not known (not forwarding, or nft would not tell). */
  async stats(): Promise<TunnelStats | null> {
    if (this.forwarder) {
      const { active, handled, blocked, bytesIn, bytesOut } = this.forwarder.stats();
      const kernel = await this.redirectBlocked();
      return { active, handled, blocked: blocked + kernel.tcp, bytesIn, bytesOut };
    }
    if (this.nftables && this.tunnel.status.state !== "STOPPED") {
      try {
        const { active, handled, blocked, bytesIn, bytesOut } = await this.nftables.stats();
        return { active, handled, blocked, bytesIn, bytesOut };
      } catch (error) {
        this.logger.warn("cannot read the tunnel's nftables counters", { error: (error as Error).message });
      }
    }
    return null;
  }

  /** The UDP side's counters; null without a UDP side or while nothing forwards. */
  async udpStats(): Promise<TunnelUdpStats | null> {
    if (!this.udp) return null;
    if (this.udpForwarder) {
      const stats = this.udpForwarder.stats();
      const kernel = await this.redirectBlocked();
      return {
        active: stats.active,
        handled: stats.sessions,
        blocked: stats.droppedByBan + kernel.udp,
        dropped: stats.droppedByLimit + stats.droppedByBackpressure,
        bytesIn: stats.bytesIn,
        bytesOut: stats.bytesOut,
      };
    }
    if (this.nftables && this.tunnel.status.state !== "STOPPED") {
      try {
        const stats = await this.nftables.stats();
        // The kernel drops for bans and the per-address limit in one counter; it queues nothing to drop.
        return {
          active: stats.activeUdp,
          handled: stats.handledUdp,
          blocked: stats.blockedUdp,
          dropped: 0,
          bytesIn: stats.bytesInUdp,
          bytesOut: stats.bytesOutUdp,
        };
      } catch (error) {
        this.logger.warn("cannot read the tunnel's nftables UDP counters", {
          error: (error as Error).message,
        });
      }
    }
    return null;
  }

  /**
   * What the kernel refused at the downloader's own IPv6 port (the relay-port redirect's rules or the
   * IPv6 guard's): banned IPv6 peers and /64s over the limit, which never pass our forwarder. Nothing
   * else counts there (neither bans an IPv4 peer).
   */
  private async redirectBlocked(): Promise<{ tcp: number; udp: number }> {
    const rules = [this.redirect, this.ipv6Guard].filter((r): r is NftablesForwarding => r !== undefined);
    const total = { ...this.ipv6GuardCarried };
    for (const r of rules) {
      try {
        const { tcp, udp } = await r.blockedCounts();
        total.tcp += tcp;
        total.udp += udp;
      } catch (error) {
        this.logger.warn("cannot read the IPv6 guard's nftables counters", {
          error: (error as Error).message,
        });
      }
    }
    return total;
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

  /**
   * The path for the ports just punched (see `choosePath`); the forwarding follows the port the
   * downloader will be told before anything listens, so no peer is sent to the old one.
   */
  private choose(situation: PathSituation, ports: { localPort: number; publicPort: number }): TunnelInbound {
    const choice = choosePath(situation, ports);
    // The one line for a path change (the Tunnel leaves it to us): why, and the ports it follows from.
    if (choice.inbound.kind !== this.inboundKind || choice.downloaderPort !== this.forwardTo.port)
      this.logger.info(`tunnel ${this.config.id}: ${choice.why}`, {
        tunnel: this.config.id,
        path: choice.inbound.kind,
        localPort: ports.localPort,
        publicPort: ports.publicPort,
        downloaderPort: choice.downloaderPort,
      });
    this.inboundKind = choice.inbound.kind;
    this.forwardTo.port = choice.downloaderPort;
    // With P itself: when P moved too, the reload for the new P (after the open) brings both at once.
    this.nftables?.retarget(choice.downloaderPort, ports.localPort).catch((error: Error) => {
      this.logger.error(error.message);
      void this.tunnel.stop();
    });
    return choice.inbound;
  }

  /** OPEN again: put the relay-port redirect in place (or take it out), then push and run the hooks. */
  private async opened(): Promise<void> {
    const status = this.tunnel.status;
    if (
      this.inboundKind === "relay-port" &&
      status.listenPort !== undefined &&
      status.localPort !== undefined
    ) {
      this.redirect ??= new NftablesForwarding({
        tunnelId: this.config.id,
        to: { relayPort: status.listenPort },
        table: this.env.nftables(),
        runner: this.env.runner,
        logger: this.logger,
        // The downloader listens on P on this host, and IPv6 peers reach it there past our relay: the
        // kernel refuses the banned ones (our forwarder bans the IPv4 peers it relays).
        bans: this.env.bans,
        guardIpv6: true,
      });
      let redirected = false;
      try {
        await this.redirect.start(status.localPort);
        redirected = true;
      } catch (error) {
        // Without the redirect peers would meet the downloader directly on P: say so, and keep going.
        this.logger.error((error as Error).message);
      }
      // The redirect's rules guard P, the downloader's port here: one guard at a time, handed over
      // only once the redirect holds, so no moment is left unguarded.
      if (redirected) await this.pauseIpv6Guard();
      else await this.placeIpv6Guard(this.forwardTo.port);
    } else {
      // Before the redirect goes: the guard takes the downloader's port over first.
      await this.placeIpv6Guard(this.forwardTo.port);
      if (this.redirect) {
        const redirect = this.redirect;
        this.redirect = undefined;
        await redirect.stop().catch((error: Error) => this.logger.warn(error.message));
      }
    }
    if (this.tunnel.status.state !== "OPEN") return;
    // UDP first, so the port pushed is one both protocols have (or the UDP side says why not); a
    // pair found elsewhere moves TCP, whose next open pushes instead.
    if (this.udp && (await this.udp.align()) === "relocating") return;
    if (this.tunnel.status.state !== "OPEN") return;
    const port = this.forwardTo.port;
    // A client on this host cannot listen where one of our listeners is; on another machine it can.
    const heldBy = this.target.scope === "lan" ? undefined : this.env.portHolder?.(port, this.config.id);
    this.announcer.opened(this.tunnel.status, port, heldBy);
  }

  /** How the UDP side's mapping is forwarded on this tunnel's path. */
  private udpForwarding(): UdpForwarding {
    const kernel = () => (this.inboundKind === "relay-port" ? this.redirect : this.nftables);
    return {
      prepareSnat: async (arrive, from) => {
        const rules = kernel();
        if (!rules) throw new Error(`the ${this.inboundKind} path runs no nftables rules for this tunnel`);
        await rules.setUdpLocalPort(arrive, from);
      },
      attach: async (held: HeldUdp | undefined) => {
        if (this.config.forward === "nftables") {
          await this.nftables?.setUdpLocalPort(held?.arrivePort, held?.snatFrom);
          return;
        }
        this.udpForwarder?.close();
        this.udpForwarder = undefined;
        if (held?.snatFrom === undefined && this.inboundKind === "relay-port")
          await this.redirect?.setUdpLocalPort(undefined);
        if (!held) return;
        const geo = await this.env.geo();
        this.udpForwarder = new UdpForwarder({
          port: held.port,
          target: this.forwardTo.target,
          bans: this.env.bans,
          table: this.env.table,
          logger: this.logger,
          ...(geo ? { geo } : {}),
        });
      },
    };
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  private makeNftables(): NftablesForwarding {
    this.nftables = new NftablesForwarding({
      tunnelId: this.config.id,
      to: { target: this.target },
      // A downloader on this host is a BitTorrent client: libtorrent binds a socket per interface.
      toArrivalAddress: Boolean(this.config.downloader),
      table: this.env.nftables(),
      runner: this.env.runner,
      bans: this.env.bans,
      // The target is on this host (nothing else is allowed here), reached over IPv6 at its own address.
      guardIpv6: true,
      logger: this.logger,
    });
    return this.nftables;
  }
}
