import type { Logger } from "@autostun/plugins-api";
import type { Endpoint } from "@autostun/stun";
import type { PublicAddress } from "../punch/stun-race.js";
import type { NetworkWatcher } from "../tunnel/network.js";
import type { NetworkSource } from "../tunnel/network-watch.js";
import {
  errorText,
  formatAddress,
  openReason,
  Recovery,
  type RecoveryCounters,
  watchNetwork,
} from "../tunnel/recovery.js";
import type { TunnelState } from "../tunnel/types.js";
import { liveUdpNetwork, type UdpMappingNetwork, type UdpMappingSocket } from "./udp-network.js";
import type { UdpPunchResult } from "./udp-punch.js";
import type { UdpStunPort } from "./udp-stun-port.js";
import { resolveUdpTiming, type UdpMappingTiming } from "./udp-timing.js";

export interface UdpMappingOptions {
  /** The tunnel this mapping belongs to, for messages and logs. */
  id: string;
  /** The local UDP port to hold; 0 or absent lets the OS choose. */
  localPort?: number;
  /** `stun.udp` servers, "host:port"; all are asked at once, the first answer wins. */
  stunServers: readonly string[];
  /** Keep-alive interval in seconds (see UDP_KEEPALIVE_SECONDS for the default and the range). */
  keepaliveSeconds?: number;
  logger: Logger;
  /** An already bound socket to hold (the equal-port search's match) instead of binding `localPort`. */
  adopt?: UdpStunPort;
  /** Overrides of the timing defaults (tests make them short). */
  timing?: Partial<UdpMappingTiming>;
  /** Where local address and route changes are read from (default: this host). */
  networkSource?: NetworkSource;
  /** Replaces every real socket (unit tests). */
  network?: UdpMappingNetwork;
  /** Random source for retry jitter (tests pin it). */
  random?: () => number;
}

/** What a user, the console or a forwarder may want to know about a UDP mapping right now. */
export interface UdpMappingStatus extends RecoveryCounters {
  id: string;
  /** The tunnel's state names: OPEN while the mapping answers, RECOVERING after a loss, FAILED while retrying. */
  state: TunnelState;
  reason: string;
  /** The bound local UDP port (undefined until bound). */
  localPort: number | undefined;
  /** The public side of the mapping; like the TCP tunnel it keeps the last open's value. */
  publicAddress: PublicAddress | undefined;
  /** The server the keep-alives go to (the one whose answer won the last punch). */
  stunServer: string | undefined;
  lastKeepaliveAt: Date | undefined;
  keepaliveIntervalMs: number;
  /** STUN datagrams sent from the socket since it was bound (punches, keep-alives, retransmissions). */
  stunPacketsSent: number;
}

export interface UdpMappingEvent {
  previous: TunnelState;
  status: UdpMappingStatus;
}

export type UdpMappingListener = (event: UdpMappingEvent) => void;

/** Thrown inside an attempt that a stop or a newer attempt made pointless. */
class Superseded extends Error {}

function sameAddress(a: PublicAddress | undefined, b: PublicAddress | undefined): boolean {
  return !!a && !!b && a.ip === b.ip && a.port === b.port;
}

/**
 * A UDP mapping held on the router: bind a local port, learn its public address with STUN Binding
 * over UDP (all `stun.udp` servers raced), and keep it alive with a Binding every interval from the
 * same socket. Each answer is also the check: a keep-alive nobody answers (after retransmissions and
 * a race to every server), an answer with another mapped address, or a change of the local address
 * or default route counts as a loss, and the mapping re-punches by itself; failures back off with
 * jitter and never retry faster than MIN_RETRY_DELAY_MS. The socket stays bound through losses, so
 * the local port (and the socket a forwarder answers peers from) does not change.
 *
 * States and events follow the TCP tunnel, and so does recovery (`Recovery`): its generation numbers
 * each run, and callbacks of an older run are ignored.
 */
export class UdpMapping {
  readonly id: string;
  private readonly timing: UdpMappingTiming;
  private readonly network: UdpMappingNetwork;
  private readonly logger: Logger;
  private readonly configuredPort: number;
  private readonly listeners = new Set<UdpMappingListener>();

  private state: TunnelState = "STOPPED";
  private reason = "not started";
  private readonly recovery: Recovery;
  private socket: UdpMappingSocket | undefined;
  private server: { name: string; endpoint: Endpoint } | undefined;
  private watcher: NetworkWatcher | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private publicAddress: PublicAddress | undefined;
  private lastKeepalive: Date | undefined;
  private openedAt: number | undefined;

  constructor(options: UdpMappingOptions) {
    const id = typeof options.id === "string" && options.id.trim() ? options.id : undefined;
    if (!id) throw new TypeError("UDP mapping: every mapping needs the non-empty id of its tunnel");
    this.id = id;
    const port = options.localPort ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError(
        `tunnel "${id}": the UDP local port must be 0 (choose one) or a port 1-65535; got ${JSON.stringify(options.localPort)}`,
      );
    }
    if (options.stunServers.length === 0) {
      throw new TypeError(
        `tunnel "${id}": no STUN server over UDP is configured; list at least one under stun.udp`,
      );
    }
    this.timing = resolveUdpTiming(
      options.keepaliveSeconds,
      `tunnel "${id}": udpKeepaliveSeconds`,
      options.timing,
    );
    this.recovery = new Recovery(this.timing, options.random, {
      run: (generation) => this.runAttempt(generation),
      enter: (state, reason) => this.setState(state, reason),
      lose: (generation, reason) => this.onLost(generation, reason),
    });
    this.configuredPort = options.adopt?.localPort ?? port;
    this.logger = options.logger;
    this.network =
      options.network ??
      liveUdpNetwork({
        stunServers: options.stunServers,
        timing: this.timing,
        adopt: options.adopt,
        networkSource: options.networkSource,
      });
  }

  get status(): UdpMappingStatus {
    return {
      id: this.id,
      state: this.state,
      reason: this.reason,
      localPort: this.socket?.localPort ?? (this.configuredPort || undefined),
      publicAddress: this.publicAddress ? { ...this.publicAddress } : undefined,
      stunServer: this.server?.name,
      lastKeepaliveAt: this.lastKeepalive,
      keepaliveIntervalMs: this.timing.keepaliveIntervalMs,
      ...this.recovery.counters,
      stunPacketsSent: this.socket?.packetsSent ?? 0,
    };
  }

  /** The bound socket a forwarder sends replies from (undefined until bound, and in unit tests). */
  get port(): UdpStunPort | undefined {
    return this.socket?.port;
  }

  /** Call `listener` on every change; returns the function that unsubscribes it. */
  onChange(listener: UdpMappingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start: bind, punch, keep alive; progress arrives as events. Does nothing unless STOPPED. */
  start(): void {
    if (this.state !== "STOPPED") return;
    const generation = this.recovery.begin();
    this.watcher = watchNetwork(
      (onChange, onError) => this.network.watch(onChange, onError),
      `tunnel ${this.id}: UDP`,
      this.logger,
      (description) => this.onNetworkChange(description),
    );
    const from = this.configuredPort ? `local UDP port ${this.configuredPort}` : "a free local UDP port";
    this.setState("OPENING", `started: punching from ${from}`);
    this.runAttempt(generation);
  }

  /** Stop keeping the mapping and release the socket; resolves once the port is free. */
  async stop(): Promise<void> {
    if (this.state === "STOPPED") return;
    this.recovery.supersede();
    this.cancelTimers();
    this.watcher?.stop();
    this.watcher = undefined;
    this.setState("STOPPED", "stopped on request");
    const socket = this.socket;
    this.socket = undefined;
    // Closing first ends a keep-alive or punch in flight at once instead of after its retransmissions.
    await socket?.close();
    await this.inflight;
  }

  private runAttempt(generation: number): void {
    this.cancelTimers();
    this.inflight = this.attempt(generation);
  }

  private async attempt(generation: number): Promise<void> {
    let punched: UdpPunchResult;
    try {
      if (!this.socket) {
        const opened = await this.network.open(this.configuredPort);
        // Only a stop moves the generation on before the first open: the socket is not ours to keep.
        if (!this.recovery.isCurrent(generation)) {
          await opened.close();
          throw new Superseded();
        }
        this.socket = opened;
      }
      punched = await this.socket.punch();
      if (!this.recovery.isCurrent(generation)) throw new Superseded();
    } catch (error) {
      this.recovery.attemptFailed(generation, error);
      return;
    }
    const now = Date.now();
    const previous = this.publicAddress;
    this.publicAddress = punched.publicAddress;
    this.server = { name: punched.server, endpoint: punched.endpoint };
    this.lastKeepalive = new Date(now);
    const recoveredMs = this.recovery.opened(now);
    this.openedAt = now;
    const where = `${formatAddress(this.publicAddress)} (local UDP port ${this.socket.localPort}, answer from ${punched.server})`;
    this.setState("OPEN", openReason(where, previous, this.publicAddress, recoveredMs));
    this.scheduleKeepalive(generation);
  }

  private scheduleKeepalive(generation: number): void {
    clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = setTimeout(() => {
      this.inflight = this.keepalive(generation);
    }, this.timing.keepaliveIntervalMs);
  }

  /**
   * One keep-alive: a Binding to the current server. Unanswered, every server is asked at once
   * before the mapping counts as lost, so one dead server moves the keep-alives elsewhere instead.
   */
  private async keepalive(generation: number): Promise<void> {
    const socket = this.socket;
    const server = this.server;
    if (!socket || !server || !this.recovery.isCurrent(generation)) return;
    let seen: PublicAddress;
    let from = server.name;
    try {
      seen = await socket.probe(server.endpoint);
    } catch (probeError) {
      if (!this.recovery.isCurrent(generation)) return;
      try {
        const raced = await socket.punch();
        if (!this.recovery.isCurrent(generation)) return;
        seen = raced.publicAddress;
        from = raced.server;
        this.logger.info(
          `tunnel ${this.id}: UDP keep-alive to ${server.name} went unanswered (${errorText(probeError)}); ${raced.server} answered, keep-alives go there now`,
          { tunnel: this.id },
        );
        this.server = { name: raced.server, endpoint: raced.endpoint };
      } catch (error) {
        if (!this.recovery.isCurrent(generation)) return;
        this.onLost(generation, `no STUN answer to the UDP keep-alive: ${errorText(error)}`);
        return;
      }
    }
    this.lastKeepalive = new Date();
    if (!sameAddress(seen, this.publicAddress)) {
      this.onLost(
        generation,
        `the UDP keep-alive answer from ${from} shows public address ${formatAddress(seen)}, but the mapping was ${formatAddress(this.publicAddress)}`,
      );
      return;
    }
    this.scheduleKeepalive(generation);
  }

  /** Any sign that the mapping is gone or moved: punch again from the same socket. */
  private onLost(generation: number, reason: string): void {
    if (!this.recovery.isCurrent(generation) || this.state !== "OPEN") return;
    const wording = { noun: "mapping", from: `local UDP port ${this.socket?.localPort}` };
    this.recovery.lost(reason, this.openedAt ?? 0, wording, () => this.cancelTimers());
  }

  private onNetworkChange(description: string): void {
    this.recovery.networkChanged(this.state, description, () =>
      this.logger.info(`tunnel ${this.id}: UDP: ${description}; retrying now`, { tunnel: this.id }),
    );
  }

  private cancelTimers(): void {
    this.recovery.cancelRetry();
    clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private setState(state: TunnelState, reason: string): void {
    const previous = this.state;
    this.state = state;
    this.reason = reason;
    const status = this.status;
    const line = `tunnel ${this.id} UDP ${previous} -> ${state}: ${reason}`;
    const fields = {
      tunnel: this.id,
      protocol: "udp",
      from: previous,
      to: state,
      localPort: status.localPort,
      publicAddress: status.publicAddress ? formatAddress(status.publicAddress) : undefined,
    };
    if (state === "FAILED" || state === "RECOVERING") this.logger.warn(line, fields);
    else this.logger.info(line, fields);
    for (const listener of this.listeners) {
      try {
        listener({ previous, status });
      } catch (error) {
        this.logger.error(`tunnel ${this.id}: a UDP state listener threw: ${errorText(error)}`);
      }
    }
  }
}
