import type { Logger } from "@autostun/plugins-api";
import type { Endpoint } from "@autostun/stun";
import type { PublicAddress } from "../punch/stun-race.js";
import { retryDelay } from "../tunnel/backoff.js";
import type { NetworkWatcher } from "../tunnel/network.js";
import type { NetworkSource } from "../tunnel/network-watch.js";
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
export interface UdpMappingStatus {
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
  recoveryCount: number;
  lastRecoveryAt: Date | undefined;
  /** From noticing the loss to being open again, for the last recovery. */
  lastRecoveryMs: number | undefined;
  failedAttempts: number;
  nextRetryAt: Date | undefined;
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatAddress(address: PublicAddress | undefined): string {
  return address ? `${address.ip}:${address.port}` : "(none)";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

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
 * States and events follow the TCP tunnel: `generation` numbers each run, and callbacks of an older
 * run are ignored.
 */
export class UdpMapping {
  readonly id: string;
  private readonly timing: UdpMappingTiming;
  private readonly network: UdpMappingNetwork;
  private readonly logger: Logger;
  private readonly configuredPort: number;
  private readonly random: () => number;
  private readonly listeners = new Set<UdpMappingListener>();

  private state: TunnelState = "STOPPED";
  private reason = "not started";
  private generation = 0;
  private socket: UdpMappingSocket | undefined;
  private server: { name: string; endpoint: Endpoint } | undefined;
  private watcher: NetworkWatcher | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private publicAddress: PublicAddress | undefined;
  private lastKeepalive: Date | undefined;
  private openedAt: number | undefined;
  private recoveryCount = 0;
  private lastRecoveryAt: Date | undefined;
  private lastRecoveryMs: number | undefined;
  private failedAttempts = 0;
  private shortSessions = 0;
  private nextRetryAt: Date | undefined;
  private lostAt: number | undefined;

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
    this.configuredPort = options.adopt?.localPort ?? port;
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
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
      recoveryCount: this.recoveryCount,
      lastRecoveryAt: this.lastRecoveryAt,
      lastRecoveryMs: this.lastRecoveryMs,
      failedAttempts: this.failedAttempts,
      nextRetryAt: this.nextRetryAt,
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
    const generation = ++this.generation;
    this.failedAttempts = 0;
    this.shortSessions = 0;
    this.lostAt = undefined;
    this.watcher = this.network.watch(
      (description) => this.onNetworkChange(description),
      (error) =>
        this.logger.warn(`tunnel ${this.id}: UDP: cannot read the local network: ${errorText(error)}`),
    );
    this.watcher
      .start()
      .catch((error) =>
        this.logger.warn(
          `tunnel ${this.id}: UDP: not watching local address or route changes: ${errorText(error)}`,
        ),
      );
    const from = this.configuredPort ? `local UDP port ${this.configuredPort}` : "a free local UDP port";
    this.setState("OPENING", `started: punching from ${from}`);
    this.runAttempt(generation);
  }

  /** Stop keeping the mapping and release the socket; resolves once the port is free. */
  async stop(): Promise<void> {
    if (this.state === "STOPPED") return;
    this.generation++;
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
        if (generation !== this.generation) {
          await opened.close();
          throw new Superseded();
        }
        this.socket = opened;
      }
      punched = await this.socket.punch();
      if (generation !== this.generation) throw new Superseded();
    } catch (error) {
      if (error instanceof Superseded || generation !== this.generation) return;
      this.failedAttempts++;
      this.scheduleRetry(generation, this.failedAttempts, errorText(error));
      return;
    }
    const now = Date.now();
    const previous = this.publicAddress;
    this.publicAddress = punched.publicAddress;
    this.server = { name: punched.server, endpoint: punched.endpoint };
    this.lastKeepalive = new Date(now);
    this.failedAttempts = 0;
    this.openedAt = now;
    const where = `${formatAddress(this.publicAddress)} (local UDP port ${this.socket.localPort}, answer from ${punched.server})`;
    if (this.lostAt !== undefined) {
      this.recoveryCount++;
      this.lastRecoveryAt = new Date(now);
      this.lastRecoveryMs = now - this.lostAt;
      this.lostAt = undefined;
      const moved = sameAddress(previous, this.publicAddress)
        ? "public address unchanged"
        : `public address ${formatAddress(previous)} -> ${formatAddress(this.publicAddress)}`;
      this.setState("OPEN", `recovered in ${seconds(this.lastRecoveryMs)}, ${moved}: open at ${where}`);
    } else {
      this.setState("OPEN", `open at ${where}`);
    }
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
    if (!socket || !server || generation !== this.generation) return;
    let seen: PublicAddress;
    let from = server.name;
    try {
      seen = await socket.probe(server.endpoint);
    } catch (probeError) {
      if (generation !== this.generation) return;
      try {
        const raced = await socket.punch();
        if (generation !== this.generation) return;
        seen = raced.publicAddress;
        from = raced.server;
        this.logger.info(
          `tunnel ${this.id}: UDP keep-alive to ${server.name} went unanswered (${errorText(probeError)}); ${raced.server} answered, keep-alives go there now`,
          { tunnel: this.id },
        );
        this.server = { name: raced.server, endpoint: raced.endpoint };
      } catch (error) {
        if (generation !== this.generation) return;
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
    if (generation !== this.generation || this.state !== "OPEN") return;
    const lived = Date.now() - (this.openedAt ?? 0);
    const next = ++this.generation;
    this.cancelTimers();
    this.lostAt = Date.now();
    if (lived >= this.timing.stableAfterMs) {
      this.shortSessions = 0;
      this.setState("RECOVERING", `${reason}; re-punching from local UDP port ${this.socket?.localPort}`);
      this.runAttempt(next);
      return;
    }
    // Opened and lost again at once: re-punching right away could loop as fast as the network answers.
    this.shortSessions++;
    const delay = retryDelay(this.shortSessions, this.timing.backoff, this.random);
    this.nextRetryAt = new Date(Date.now() + delay);
    this.setState(
      "RECOVERING",
      `${reason}; the mapping was open only ${seconds(lived)}, re-punching in ${seconds(delay)}`,
    );
    this.retryTimer = setTimeout(() => this.runAttempt(next), delay);
  }

  private onNetworkChange(description: string): void {
    if (this.state === "OPEN") {
      this.onLost(this.generation, description);
    } else if (this.state === "FAILED" && this.retryTimer) {
      this.logger.info(`tunnel ${this.id}: UDP: ${description}; retrying now`, { tunnel: this.id });
      this.runAttempt(this.generation);
    }
  }

  private scheduleRetry(generation: number, failures: number, why: string): void {
    const delay = retryDelay(failures, this.timing.backoff, this.random);
    this.nextRetryAt = new Date(Date.now() + delay);
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) this.runAttempt(generation);
    }, delay);
    this.setState("FAILED", `${why}; retry ${failures} in ${seconds(delay)}`);
  }

  private cancelTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.keepaliveTimer);
    this.retryTimer = undefined;
    this.keepaliveTimer = undefined;
    this.nextRetryAt = undefined;
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
