import { networkInterfaces } from "node:os";
import { type CommandRunner, type Disposable, DisposableStore, type Logger } from "@autostun/plugins-api";
import type { BanList } from "../bans/ban-list.js";
import { FORWARDER_DEFAULTS } from "../forward/forwarder-options.js";
import type { ForwardTarget } from "../target/validate-target.js";
import type { Tunnel } from "../tunnel/tunnel.js";
import { UDP_FORWARDER_DEFAULTS } from "../udp/udp-forwarder-options.js";
import { type BanFamilies, type BanSetElement, banSetElementsOf, elementFamily } from "./ban-set-elements.js";
import { NftablesForwardingError, USE_USERSPACE } from "./forwarding-error.js";
import { HostBanChanges } from "./host-ban-changes.js";
import type { NftablesTable } from "./nftables-table.js";
import { tunnelObjectNames } from "./object-names.js";
import type { NftablesDestination } from "./tunnel-rules.js";

export interface NftablesForwardingOptions {
  tunnelId: string;
  /**
   * `target`: the kernel DNATs peers to a validated target on this host (`forward: nftables`).
   * `relayPort`: the kernel redirects them to our own listener on that port (the port-preserving
   * gateway's way b), which does bans, the table and real addresses in user space.
   * `downloaderPort`: nothing of IPv4 at all, only the IPv6 guard (`guardIpv6` implied) at that port of a
   * downloader on this host, for paths that forward IPv4 in user space; `start` takes that same port.
   */
  to: { target: ForwardTarget } | { relayPort: number } | { downloaderPort: number };
  table: NftablesTable;
  runner: CommandRunner;
  /**
   * Mirrored into the tunnel's ban sets: IPv4 in target mode only (the relay's forwarder bans its own
   * peers), IPv6 in either mode with `guardIpv6`.
   */
  bans?: BanList;
  /**
   * The destination is a downloader on this host, which IPv6 peers reach directly at its own global
   * address (through a pinhole, or a router that filters nothing): refuse the banned ones there too.
   * The port is the target's (following `retarget`) in target mode, and P itself on the relay-port path,
   * where the downloader listens on P. Without it, nothing about IPv6 is loaded.
   */
  guardIpv6?: boolean;
  logger?: Logger;
  /** Addresses of this host, to tell a local target from another machine (default: every interface). */
  localAddresses?: () => readonly string[];
  platform?: NodeJS.Platform;
  /**
   * Target mode with a loopback target: hand peers to the target's port on the address they arrived
   * at (nft `redirect`) rather than DNAT them to 127.0.0.1. Clients built on libtorrent (qBittorrent,
   * Deluge) bind one socket per interface, and a packet that came in on the LAN interface matches none
   * of them once its destination is 127.0.0.1: only a client bound to 0.0.0.0 would take it.
   */
  toArrivalAddress?: boolean;
  /** Live forwarded connections one peer address may hold (target mode); the user-space default otherwise. */
  maxPerIp?: number;
  /**
   * The tunnel's UDP local port (its held UDP mapping's port): inbound UDP there goes to the same
   * destination as TCP. Absent: TCP only, exactly as before. `setUdpLocalPort` changes it later.
   */
  udpLocalPort?: number;
  /** Live UDP flows one peer address may hold (target mode); the user-space UDP default otherwise. */
  udpMaxPerIp?: number;
}

/** Counters of an nftables tunnel, read from the kernel. */
export interface NftablesStats {
  /** Connections handed on that conntrack still tracks as established. */
  active: number;
  /** Connections DNATed (or redirected) to the destination, UDP flows included. */
  handled: number;
  /** The UDP flows among them. */
  handledUdp: number;
  /** UDP's share of `blocked`, `bytesIn` and `bytesOut`. */
  blockedUdp: number;
  bytesInUdp: number;
  bytesOutUdp: number;
  /** New connections from banned addresses, answered with a reset. */
  blocked: number;
  /** Packet bytes (headers included) from peers, and back to them. */
  bytesIn: number;
  bytesOut: number;
  /** Live connections cut because their peer was banned. */
  closedByBan: number;
  /** UDP flows handed on that conntrack still holds (0 without a UDP local port). */
  activeUdp: number;
  /** Live UDP flows whose conntrack entries were deleted because their peer was banned. */
  udpClosedByBan: number;
}

function remedyFor(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  if (/root|CAP_NET_ADMIN|not permitted|EPERM|EACCES|not installed|ENOENT/.test(text)) {
    return `It needs root (or CAP_NET_ADMIN) on Linux and the nft program. ${USE_USERSPACE}`;
  }
  return `nft refused the rules; an nftables older than 1.0 or a kernel without nf_tables NAT, fib and reject support cannot run them. ${USE_USERSPACE}`;
}

function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

/**
 * A tunnel's inbound TCP handled by the kernel: new connections to P from other machines are DNATed
 * (or redirected) in a table of our own, banned sources are reset before that, and the counts come back
 * from nft. Follows the tunnel's port through `follow()`; `stop()` takes its rules out.
 */
export class NftablesForwarding {
  readonly tunnelId: string;
  private readonly names;
  private destination: NftablesDestination;
  private port: number | undefined;
  /** The destination port the loaded rules carry (a retarget may be waiting for the next load). */
  private loadedDestinationPort: number | undefined;
  private closedByBan = 0;
  private udpClosedByBan = 0;
  /** The UDP local port wanted, and the one the loaded rules carry. */
  private udpLocalPort: number | undefined;
  private loadedUdpPort: number | undefined;
  /** The mapping socket's port SNATed onto the UDP local port (see `udpSnatFrom` of the rules). */
  private udpSnatFrom: number | undefined;
  private loadedSnatFrom: number | undefined;
  /** The load running now, if any. */
  private loading: Promise<void> | undefined;
  private activeWarned = false;
  /** What `follow` subscribed to; a new store after each stop, so the tunnel can be followed again. */
  private follows = new DisposableStore();
  private followed = false;
  private banSubscription: DisposableStore | undefined;
  /** Host bans changed since the last ban-set update, so that update can be a delta. */
  private hostChanges: HostBanChanges | undefined;
  /** The ban-set update running now, and the one queued behind it that every later change shares. */
  private banUpdate: Promise<void> | undefined;
  private nextBanUpdate: Promise<void> | undefined;
  /** nft and ss runs made to follow the ban list (read by the bench and the tests). */
  readonly banRuns = { nft: 0, ss: 0 };
  /** conntrack runs made to forget banned peers' UDP flows. */
  readonly udpBanRuns = { conntrack: 0 };
  /** The downloader's IPv6 port the loaded rules guard, if any. */
  private loadedIpv6Port: number | undefined;

  constructor(private readonly options: NftablesForwardingOptions) {
    this.tunnelId = options.tunnelId;
    this.names = tunnelObjectNames(options.tunnelId);
    this.destination = this.checkDestination();
    this.udpLocalPort = options.udpLocalPort;
  }

  /**
   * Forwards inbound UDP on `port` (the tunnel's UDP mapping's local port) as well, or stops doing so
   * (undefined). Reloads the rules when they are in place; otherwise the next start carries it.
   */
  async setUdpLocalPort(port: number | undefined, snatFrom?: number): Promise<void> {
    this.udpLocalPort = port;
    this.udpSnatFrom = port === undefined ? undefined : snatFrom;
    // A load running now picks the new port up when it ends (see `start`); resolve only after that,
    // since a caller may send through the source rewrite as soon as this resolves.
    if (this.loading) await this.loading.catch(() => undefined);
    if (this.port === undefined || (this.loadedUdpPort === port && this.loadedSnatFrom === this.udpSnatFrom))
      return;
    await this.start(this.port);
  }

  /** Loads the rules for local port P (again, when P moved). Errors name the tunnel and the fix. */
  start(port: number): Promise<void> {
    const loading = this.load(port);
    this.loading = loading;
    const clear = () => {
      if (this.loading === loading) this.loading = undefined;
    };
    loading.then(clear, clear);
    return loading;
  }

  private async load(port: number): Promise<void> {
    // Registered before the table is loaded: a ban arriving meanwhile is queued behind the load.
    const families = this.banFamilies();
    if (!this.banSubscription && this.options.bans && families.size > 0) {
      const tunnelId = this.tunnelId;
      const changes = new HostBanChanges(this.options.bans, families);
      this.hostChanges = changes;
      const subscription = new DisposableStore();
      subscription.add(changes);
      subscription.add(() => {
        if (this.hostChanges === changes) this.hostChanges = undefined;
      });
      subscription.add(this.options.bans.addEnforcer({ name: tunnelId, enforce: () => this.enforceBans() }));
      this.banSubscription = subscription;
    }
    const destination = this.destination;
    const udpLocalPort = this.udpLocalPort;
    const udpSnatFrom = this.udpSnatFrom;
    // The downloader's port: the target's (DNAT, or a redirect that follows it), else P on the relay-port path.
    const toDownloader = destination.kind === "dnat" || destination.follows === true;
    const ipv6Port = this.guardsIpv6() ? (toDownloader ? destination.port : port) : undefined;
    const ipv6Only = "downloaderPort" in this.options.to;
    try {
      await this.options.table.put(this.tunnelId, {
        names: this.names,
        port,
        destination,
        bans: this.wantedBans(),
        ...(ipv6Port === undefined
          ? {}
          : {
              ipv6Port,
              // The IPv4 limits' values: what one IPv4 address may hold, one IPv6 /64 may hold too.
              ipv6MaxPerPrefix: {
                tcp: this.options.maxPerIp ?? FORWARDER_DEFAULTS.maxPerIp,
                udp: this.options.udpMaxPerIp ?? UDP_FORWARDER_DEFAULTS.maxPerIp,
              },
            }),
        ...(ipv6Only ? { ipv6Only } : {}),
        maxPerIp: this.options.maxPerIp ?? FORWARDER_DEFAULTS.maxPerIp,
        ...(udpLocalPort === undefined
          ? {}
          : {
              udpLocalPort,
              udpMaxPerIp: this.options.udpMaxPerIp ?? UDP_FORWARDER_DEFAULTS.maxPerIp,
              ...(udpSnatFrom === undefined ? {} : { udpSnatFrom }),
            }),
      });
    } catch (error) {
      throw new NftablesForwardingError(
        this.tunnelId,
        `could not load its rules into nftables table ${this.options.table.table.name}: ${(error as Error).message}`,
        remedyFor(error),
        { cause: error },
      );
    }
    this.port = port;
    this.loadedDestinationPort = destination.port;
    this.loadedUdpPort = udpLocalPort;
    this.loadedSnatFrom = udpSnatFrom;
    this.loadedIpv6Port = ipv6Port;
    // The UDP port asked for while this load ran (the mapping opens moments after TCP) comes next.
    if (this.udpLocalPort !== udpLocalPort || this.udpSnatFrom !== udpSnatFrom) await this.load(port);
  }

  /**
   * Keeps the rules on the tunnel's local port as it opens, recovers and moves. A failure is logged
   * and passed to `onError`: the daemon stops the tunnel there rather than leave it open with nothing
   * forwarding. `onLoaded` hears each port the rules are in place for.
   */
  follow(
    tunnel: Tunnel,
    hooks: {
      onError?: (error: NftablesForwardingError) => void;
      onLoaded?: (port: number) => void;
      /** The rules vanished (a ruleset flush) and nft refused them again; the next open loads them. */
      onLost?: (error: NftablesForwardingError) => void;
    } = {},
  ): Disposable {
    this.followed = true;
    this.follows.add(
      this.options.table.onRulesLost((cause) => {
        if (this.port === undefined) return;
        this.port = undefined;
        this.loadedDestinationPort = undefined;
        const error = new NftablesForwardingError(
          this.tunnelId,
          `lost its rules (table ${this.options.table.table.name} was removed) and nft refused them again: ${cause.message}`,
          remedyFor(cause),
          { cause },
        );
        (hooks.onLost ?? hooks.onError)?.(error);
      }),
    );
    const portChanges = tunnel.onPortChange(({ localPort }) => {
      if (localPort === this.port && this.loadedDestinationPort === this.destination.port) return;
      this.start(localPort).then(
        () => hooks.onLoaded?.(localPort),
        (error: NftablesForwardingError) => {
          this.options.logger?.error(error.message);
          hooks.onError?.(error);
        },
      );
    });
    return this.follows.add(portChanges);
  }

  /**
   * DNATs to another port of the same target host from now on (the port the downloader was told to
   * listen on); the rules are reloaded when they are in place already. Redirects to a relay port stay.
   * `localPort` is the tunnel's port the new target goes with: when that moves too and `follow` watches
   * the tunnel, the one reload for the new local port carries the new target as well, rather than a
   * reload for the old port now and another one for the new port when the tunnel opens.
   */
  async retarget(targetPort: number, localPort?: number): Promise<void> {
    if (this.destination.kind !== "dnat" && !this.destination.follows) return;
    if (this.destination.port !== targetPort) this.destination = { ...this.destination, port: targetPort };
    if (this.port === undefined) return;
    if (this.followed && localPort !== undefined && localPort !== this.port) return;
    // Compared with what is loaded, not with the last wish: a deferred target may still be pending here.
    if (this.loadedDestinationPort === targetPort) return;
    await this.start(this.port);
  }

  /** Takes this tunnel's rules out; the table goes with the last tunnel. */
  async stop(): Promise<void> {
    const follows = this.follows;
    this.follows = new DisposableStore();
    this.followed = false;
    follows.dispose();
    this.banSubscription?.dispose();
    this.banSubscription = undefined;
    this.port = undefined;
    this.loadedDestinationPort = undefined;
    this.loadedUdpPort = undefined;
    this.loadedSnatFrom = undefined;
    this.loadedIpv6Port = undefined;
    await this.options.table.drop(this.tunnelId);
  }

  /**
   * Brings the kernel's ban set in line with the ban list and cuts live connections from networks new
   * in it; resolves once both are done. Changes made while an update runs share the next one: a burst
   * of bans costs a couple of nft runs, not one per ban. Rejects naming the tunnel and nft's reason; the
   * set then stays as it was, and the next change (or the tunnel's next start) tries the whole difference again.
   */
  enforceBans(): Promise<void> {
    if (this.nextBanUpdate) return this.nextBanUpdate;
    const previous = this.banUpdate ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(() => {
        // From here on the list is read afresh: a change made now needs another update after this one.
        this.nextBanUpdate = undefined;
        this.banUpdate = next;
        return this.updateBanSet();
      })
      .finally(() => {
        if (this.banUpdate === next) this.banUpdate = undefined;
      });
    this.nextBanUpdate = next;
    return next;
  }

  private async updateBanSet(): Promise<void> {
    let update: Awaited<ReturnType<NftablesTable["updateBans"]>>;
    try {
      update = await this.options.table.updateBans(
        this.tunnelId,
        () => this.wantedBans(),
        () => this.hostChanges?.take(),
      );
    } catch (error) {
      this.hostChanges?.needFull();
      this.banRuns.nft++;
      throw new Error(`its nftables ban set was not updated: ${(error as Error).message}`, { cause: error });
    }
    this.banRuns.nft += update.nftRuns;
    if (update.added.length > 0) {
      const v4 = update.added.filter((cidr) => elementFamily(cidr) === 4);
      const v6 = update.added.filter((cidr) => elementFamily(cidr) === 6);
      const udpPort = this.loadedUdpPort;
      const ipv6Port = this.loadedIpv6Port;
      await Promise.all([
        v4.length ? this.closeLive(v4) : undefined,
        v4.length && udpPort !== undefined ? this.forgetUdpFlows(v4, udpPort) : undefined,
        v6.length && ipv6Port !== undefined ? this.cutIpv6(v6, ipv6Port) : undefined,
      ]);
    }
  }

  /** Only what the kernel refused, TCP and UDP apart: one nft run, none of conntrack's. */
  async blockedCounts(): Promise<{ tcp: number; udp: number }> {
    const { blocked, blockedUdp } = await this.options.table.counts(this.tunnelId);
    return { tcp: blocked - blockedUdp, udp: blockedUdp };
  }

  async stats(): Promise<NftablesStats> {
    const counts = await this.options.table.counts(this.tunnelId);
    return {
      ...counts,
      active: await this.activeConnections(),
      closedByBan: this.closedByBan,
      activeUdp: await this.activeUdpFlows(),
      udpClosedByBan: this.udpClosedByBan,
    };
  }

  private checkDestination(): NftablesDestination {
    const { tunnelId } = this;
    if ((this.options.platform ?? process.platform) !== "linux") {
      throw new NftablesForwardingError(tunnelId, "works on Linux only", USE_USERSPACE);
    }
    const to = this.options.to;
    if ("relayPort" in to) return { kind: "redirect", port: to.relayPort };
    // Never loaded as a redirect (the rules are IPv6-only); `follows` makes the guard and `retarget` use its port.
    if ("downloaderPort" in to) return { kind: "redirect", port: to.downloaderPort, follows: true };
    const { target } = to;
    if (target.ip.family !== 4) {
      throw new NftablesForwardingError(
        tunnelId,
        `cannot DNAT to ${target.text}: peers arrive over IPv4, so the target must be an IPv4 address`,
        `Use 127.0.0.1 or this host's IPv4 LAN address as target. ${USE_USERSPACE}`,
      );
    }
    const local = (this.options.localAddresses ?? localInterfaceAddresses)().includes(target.host);
    if (target.scope !== "loopback" && !local) {
      // Replies from another machine would go straight to the router, past our conntrack entry;
      // fixing that with masquerade would hide the peers' real addresses, which is the point of this mode.
      throw new NftablesForwardingError(
        tunnelId,
        `cannot reach ${target.text}: that is another machine, and its answers would bypass this host`,
        `Use a target on this host (127.0.0.1 or one of its own addresses). ${USE_USERSPACE}`,
      );
    }
    if (target.scope === "loopback" && this.options.toArrivalAddress)
      return { kind: "redirect", port: target.port, follows: true };
    return { kind: "dnat", ip: target.host, port: target.port };
  }

  /** Which families this tunnel's kernel sets mirror (see `bans` and `guardIpv6`). */
  private banFamilies(): BanFamilies {
    const families = new Set<4 | 6>();
    if (!this.options.bans) return families;
    if ("target" in this.options.to) families.add(4);
    if (this.guardsIpv6()) families.add(6);
    return families;
  }

  private guardsIpv6(): boolean {
    return this.options.guardIpv6 === true || "downloaderPort" in this.options.to;
  }

  /**
   * The IPv6-only guard (`to: { downloaderPort }`) moves to the downloader's new port, or loads there
   * for the first time.
   */
  async guardPort(port: number): Promise<void> {
    if (!("downloaderPort" in this.options.to))
      throw new Error(`tunnel "${this.tunnelId}": not an IPv6 guard`);
    if (this.destination.port === port && this.port === port) return;
    this.destination = { ...this.destination, port };
    await this.start(port);
  }

  private wantedBans(): BanSetElement[] {
    const families = this.banFamilies();
    if (!this.options.bans || families.size === 0) return [];
    return banSetElementsOf(this.options.bans.networks(), Date.now(), families);
  }

  /**
   * Newly banned IPv6 networks lose their live connections to the downloader's own port: `ss -K` aborts
   * the downloader's sockets (it and the peer both see a reset), then conntrack forgets every TCP and UDP
   * entry from those networks to that port, so no packet of theirs is carried on by an old entry and the
   * next one meets the ban rules as new. One ss run for the batch; one conntrack run per network and
   * protocol (it takes one source filter), all at once.
   */
  private async cutIpv6(cidrs: readonly string[], port: number): Promise<void> {
    const sources = cidrs.flatMap((cidr, i) => (i === 0 ? ["dst", cidr] : ["or", "dst", cidr]));
    this.banRuns.ss++;
    const killed = await this.options.runner.run(
      "ss",
      ["-K", "-H", "-tn", "-6", "(", ...sources, ")", "and", "sport", "=", `:${port}`],
      { timeoutMs: 5_000 },
    );
    if (killed.exitCode === 0) this.closedByBan += killed.stdout.split("\n").filter((l) => l.trim()).length;
    else
      this.options.logger?.warn(
        `tunnel "${this.tunnelId}": live IPv6 connections from ${cidrs.join(", ")} to port ${port} stay open until they next send (ss -K failed: ${killed.error ?? killed.stderr.trim()})`,
      );
    const runs = cidrs.flatMap((cidr) =>
      (["tcp", "udp"] as const).map(async (protocol) => {
        this.udpBanRuns.conntrack += protocol === "udp" ? 1 : 0;
        const args = ["-D", "-f", "ipv6", "-p", protocol, "-s", cidr, "--orig-port-dst", String(port)];
        return {
          cidr,
          protocol,
          result: await this.options.runner.run("conntrack", args, { timeoutMs: 5_000 }),
        };
      }),
    );
    for (const { cidr, protocol, result } of await Promise.all(runs)) {
      const deleted = /(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted/.exec(result.stderr);
      if (deleted) {
        // Exit 1 with 0 deleted is a network with no live flow, not a failure.
        if (protocol === "udp") this.udpClosedByBan += Number(deleted[1]);
        continue;
      }
      this.options.logger?.warn(
        `tunnel "${this.tunnelId}": ${protocol.toUpperCase()} flows from ${cidr} to port ${port} keep their conntrack entries until they time out (conntrack -D failed: ${result.error ?? result.stderr.trim()}); install the conntrack package`,
      );
    }
  }

  /**
   * The target's sockets carry the peers' real addresses (DNAT keeps the source), so the kernel can
   * abort exactly those: the target sees a reset, and so does the peer, through conntrack.
   */
  private async closeLive(cidrs: readonly string[]): Promise<void> {
    if (this.destination.kind !== "dnat") return;
    // One ss run for the whole batch: `( dst A or dst B … ) and sport = :port`.
    const sources = cidrs.flatMap((cidr, i) => (i === 0 ? ["dst", cidr] : ["or", "dst", cidr]));
    const filter = ["(", ...sources, ")", "and", "sport", "=", `:${this.destination.port}`];
    this.banRuns.ss++;
    const result = await this.options.runner.run("ss", ["-K", "-H", "-tn", ...filter], { timeoutMs: 5_000 });
    if (result.exitCode !== 0) {
      // The set's second rule resets the peer's next packet, so the ban holds; only the target's socket lingers.
      this.options.logger?.warn(
        `tunnel "${this.tunnelId}": live connections from ${cidrs.join(", ")} stay open until they next send (ss -K failed: ${result.error ?? result.stderr.trim()})`,
      );
      return;
    }
    this.closedByBan += result.stdout.split("\n").filter((line) => line.trim()).length;
  }

  /**
   * A banned peer's UDP is dropped from its next datagram on by the ban rules, but its conntrack
   * entries would keep carrying the destination's answers back out through the mapping until they time
   * out (up to minutes for a flow seen both ways). Deleting them ends that at once: the destination's
   * next datagram to the peer finds no entry to be un-NATed by. One conntrack run per network (it takes
   * one source filter), all at once; the flows are recognised by their original destination port.
   */
  private async forgetUdpFlows(cidrs: readonly string[], udpPort: number): Promise<void> {
    if (this.destination.kind !== "dnat") return;
    this.udpBanRuns.conntrack += cidrs.length;
    const runs = cidrs.map((cidr) =>
      this.options.runner.run(
        "conntrack",
        ["-D", "-p", "udp", "-s", cidr, "--orig-port-dst", String(udpPort)],
        { timeoutMs: 5_000 },
      ),
    );
    for (const [i, result] of (await Promise.all(runs)).entries()) {
      const deleted = /(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted/.exec(result.stderr);
      if (deleted) {
        // conntrack exits 1 when nothing matched; that is a ban with no live UDP flow, not a failure.
        this.udpClosedByBan += Number(deleted[1]);
        continue;
      }
      this.options.logger?.warn(
        `tunnel "${this.tunnelId}": UDP flows from ${cidrs[i]} keep their conntrack entries until they time out, so the target's answers still reach that peer meanwhile (conntrack -D failed: ${result.error ?? result.stderr.trim()}); install the conntrack package`,
      );
    }
  }

  private async activeUdpFlows(): Promise<number> {
    const udpPort = this.loadedUdpPort;
    if (this.port === undefined || udpPort === undefined) return 0;
    const args = ["-L", "-p", "udp", "--orig-port-dst", String(udpPort), "--dst-nat"];
    const result = await this.options.runner.run("conntrack", args, { timeoutMs: 5_000 });
    if (result.exitCode !== 0) return 0;
    return result.stdout.split("\n").filter((line) => line.startsWith("udp")).length;
  }

  private async activeConnections(): Promise<number> {
    if (this.port === undefined) return 0;
    const args = [
      "-L",
      "-p",
      "tcp",
      "--orig-port-dst",
      String(this.port),
      "--state",
      "ESTABLISHED",
      "--dst-nat",
    ];
    const result = await this.options.runner.run("conntrack", args, { timeoutMs: 5_000 });
    if (result.exitCode !== 0) {
      if (!this.activeWarned) {
        this.activeWarned = true;
        this.options.logger?.warn(
          `tunnel "${this.tunnelId}": active connections read as 0: conntrack failed (${result.error ?? result.stderr.trim()}); install the conntrack package`,
        );
      }
      return 0;
    }
    return result.stdout.split("\n").filter((line) => line.startsWith("tcp")).length;
  }
}
