import type { Socket } from "node:net";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import type { InboundHandler } from "../inbound.js";
import { isLocalPortBusy } from "../punch/local-port-busy.js";
import type { PublicAddress, PunchResult } from "../punch/stun-race.js";
import { listenPortFor, pathCost, pathOf, type TunnelInbound } from "./inbound-path.js";
import type { PortListener } from "./listener.js";
import { liveNetwork } from "./live-network.js";
import type { KeepAliveHandle, NetworkWatcher, TunnelNetwork } from "./network.js";
import type { TunnelOptions } from "./options.js";
import { errorText, formatAddress, openReason, Recovery, watchNetwork } from "./recovery.js";
import { resolveTiming, type TunnelTiming } from "./timing.js";
import type {
  PortChangeListener,
  TunnelEvent,
  TunnelListener,
  TunnelPorts,
  TunnelState,
  TunnelStatus,
} from "./types.js";
import { validateTunnelOptions } from "./validate.js";

export type { TunnelOptions } from "./options.js";

/** What one successful punch-keep-listen left running. */
interface Session {
  keepAlive: KeepAliveHandle;
  listener: PortListener;
  openedAt: number;
  recheckTimer: NodeJS.Timeout;
}

/** Thrown inside an attempt that a stop or a newer attempt made pointless. */
class Superseded extends Error {}

/**
 * One tunnel: punch a public port for local port P, keep it, listen on P, hand peers over, and
 * come back by itself whenever the mapping, the public address or the local network changes.
 *
 * Every state change (and every new reason while failing) is an event and one log line.
 * Losses, failed attempts and network changes are handled by `Recovery` (shared with the UDP
 * mapping); its generation numbers each run, and callbacks of an older one are ignored.
 */
export class Tunnel {
  readonly id: string;
  private readonly timing: TunnelTiming;
  private readonly network: TunnelNetwork;
  private readonly logger: Logger;
  private readonly handler: InboundHandler;
  private readonly configuredPort: number;
  private readonly listeners = new Set<TunnelListener>();
  private readonly portListeners = new Set<PortChangeListener>();
  private inbound: TunnelInbound;
  private readonly chooseInbound: ((ports: TunnelPorts) => TunnelInbound | undefined) | undefined;
  /** Port R of the relay-port path, once chosen; kept across recoveries. */
  private relayPort: number | undefined;
  private announcedPorts: TunnelPorts | undefined;

  private state: TunnelState = "STOPPED";
  private reason = "not started";
  private readonly recovery: Recovery;
  private session: Session | undefined;
  private watcher: NetworkWatcher | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private localPort: number | undefined;
  private publicAddress: PublicAddress | undefined;
  private privateAddress: PublicAddress | undefined;
  private stunServer: string | undefined;
  private lastKeepalive: Date | undefined;
  private lastRecheckAt: Date | undefined;
  private lastRecheckError: string | undefined;
  private recheckBusy = false;
  /** Releases the connection holding the mapping `relocate` moves to, right before the punch. */
  private pendingHandOver: (() => void) | undefined;

  constructor(options: TunnelOptions) {
    validateTunnelOptions(options);
    this.id = options.id;
    this.timing = resolveTiming(options.keepalive.intervalSeconds, options.timing);
    this.recovery = new Recovery(this.timing, options.random, {
      run: (generation) => this.runAttempt(generation),
      enter: (state, reason) => this.setState(state, reason),
      lose: (generation, reason) => this.onLost(generation, reason),
    });
    this.logger = options.logger;
    this.handler = options.handler;
    this.configuredPort = options.localPort ?? 0;
    this.inbound = options.inbound ?? { kind: "listen-on-p" };
    if (this.inbound.kind === "relay-port" && this.inbound.port) this.relayPort = this.inbound.port;
    this.chooseInbound = options.chooseInbound;
    this.network =
      options.network ??
      liveNetwork({
        stunServers: options.stunServers,
        keepaliveTarget: options.keepalive.target,
        listenAddress: options.listenAddress ?? "0.0.0.0",
        timing: this.timing,
        networkSource: options.networkSource,
      });
  }

  get status(): TunnelStatus {
    return {
      id: this.id,
      state: this.state,
      reason: this.reason,
      localPort: this.localPort,
      publicAddress: this.publicAddress ? { ...this.publicAddress } : undefined,
      privateAddress: this.privateAddress ? { ...this.privateAddress } : undefined,
      stunServer: this.stunServer,
      lastKeepaliveAt: this.session?.keepAlive.lastAnswerAt ?? this.lastKeepalive,
      lastRecheckAt: this.lastRecheckAt,
      lastRecheckError: this.lastRecheckError,
      ...this.recovery.counters,
      // The session starts the moment the tunnel turns OPEN and ends when it leaves OPEN.
      openSince: this.state === "OPEN" && this.session ? new Date(this.session.openedAt) : undefined,
      path: pathOf(this.inbound),
      pathCost: pathCost(this.inbound, this.relayPort),
      listenPort: this.listenPort(),
    };
  }

  /**
   * Call `listener` whenever the tunnel opens on ports other than the last ones it announced (the
   * first open included): the daemon pushes the public port to the downloader, and on the
   * direct-downloader path tells it which local port to listen on. Dispose the result to stop hearing.
   */
  onPortChange(listener: PortChangeListener): Disposable {
    this.portListeners.add(listener);
    return toDisposable(() => void this.portListeners.delete(listener));
  }

  /** Call `listener` on every change, until the returned Disposable is disposed. */
  onChange(listener: TunnelListener): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => void this.listeners.delete(listener));
  }

  /** Start opening; progress arrives as events. Does nothing unless STOPPED. */
  start(): void {
    if (this.state !== "STOPPED") return;
    const generation = this.recovery.begin();
    this.watcher = watchNetwork(
      (onChange, onError) => this.network.watch(onChange, onError),
      `tunnel ${this.id}`,
      this.logger,
      (description) => this.onNetworkChange(description),
    );
    const from = this.configuredPort ? `local port ${this.configuredPort}` : "a free local port";
    this.setState("OPENING", `started: punching from ${from}`);
    this.runAttempt(generation);
  }

  /** Close the listener and the keep-alive and stop retrying; resolves once port P is released. */
  async stop(): Promise<void> {
    if (this.state === "STOPPED") return;
    this.recovery.supersede();
    this.recovery.cancelRetry();
    this.watcher?.stop();
    this.watcher = undefined;
    this.closeSession();
    this.pendingHandOver?.();
    this.pendingHandOver = undefined;
    this.setState("STOPPED", "stopped on request");
    await this.inflight;
  }

  /**
   * The forwarding under the tunnel broke for a reason the tunnel cannot see (its kernel rules were
   * removed and nft refused them again): FAILED with that reason rather than OPEN while peers are
   * refused. The retry re-opens it and announces its ports afresh, so the forwarding is loaded again.
   */
  fail(reason: string): void {
    if (this.state === "STOPPED") return;
    const generation = this.recovery.supersede();
    this.recovery.cancelRetry();
    this.closeSession();
    this.announcedPorts = undefined;
    this.recovery.failed(generation, reason);
  }

  /**
   * Re-open from local port `localPort`, where a connection of the caller holds a TCP mapping it chose
   * (the equal-port pair search: its public port equals a UDP mapping's). `handOver` closes that
   * connection just before the punch from the port, so the gateway's mapping is taken over rather
   * than left to expire. The new ports are announced like any other move.
   */
  relocate(localPort: number, why: string, handOver: () => void): void {
    if (this.state === "STOPPED") {
      handOver();
      return;
    }
    const generation = this.recovery.supersede();
    this.recovery.cancelRetry();
    this.closeSession();
    this.pendingHandOver?.();
    this.pendingHandOver = handOver;
    this.localPort = localPort;
    this.setState("RECOVERING", `${why}; re-opening from local port ${localPort}`);
    this.runAttempt(generation);
  }

  private runAttempt(generation: number): void {
    this.recovery.cancelRetry();
    this.inflight = this.attempt(generation);
  }

  private async attempt(generation: number): Promise<void> {
    let opened: { port: number; punched: PunchResult; keepAlive: KeepAliveHandle; listener: PortListener };
    try {
      opened = await this.openSomewhere(generation);
    } catch (error) {
      this.recovery.attemptFailed(generation, error);
      return;
    }
    const now = Date.now();
    const previousAddress = this.publicAddress;
    this.localPort = opened.port;
    this.publicAddress = opened.punched.publicAddress;
    // The keep-alive is the connection whose mapping peers use; its source address is the routed one.
    const sourceIp = opened.keepAlive.localAddress;
    this.privateAddress = sourceIp ? { ip: sourceIp, port: opened.port } : undefined;
    this.stunServer = opened.punched.server;
    const recoveredMs = this.recovery.opened(now);
    this.session = {
      keepAlive: opened.keepAlive,
      listener: opened.listener,
      openedAt: now,
      recheckTimer: setInterval(() => void this.recheck(generation), this.timing.recheckIntervalMs),
    };
    const where = `${formatAddress(this.publicAddress)} (local port ${opened.port}, answer from ${opened.punched.server})`;
    this.setState("OPEN", openReason(where, previousAddress, this.publicAddress, recoveredMs));
    this.announcePorts();
  }

  private listenPort(): number | undefined {
    if (this.localPort === undefined) return undefined;
    if (this.inbound.kind === "relay-port") return this.relayPort;
    return listenPortFor(this.inbound, this.localPort);
  }

  private announcePorts(): void {
    if (this.localPort === undefined || !this.publicAddress) return;
    const ports: TunnelPorts = { localPort: this.localPort, publicPort: this.publicAddress.port };
    const previous = this.announcedPorts;
    if (previous && previous.localPort === ports.localPort && previous.publicPort === ports.publicPort)
      return;
    this.announcedPorts = ports;
    for (const listener of this.portListeners) {
      try {
        listener({ ...ports, previous });
      } catch (error) {
        this.logger.error(`tunnel ${this.id}: a port-change listener threw: ${errorText(error)}`);
      }
    }
  }

  /**
   * Punch, keep and listen on P; when P itself is the obstacle (a listener of someone else, or a
   * TIME_WAIT leftover towards the same server) move to a fresh port at once rather than wait.
   */
  private async openSomewhere(generation: number) {
    const port = this.localPort ?? (this.configuredPort || (await this.network.choosePort()));
    this.localPort = port;
    try {
      return await this.openOn(port, generation);
    } catch (error) {
      if (!isLocalPortBusy(error) || !this.recovery.isCurrent(generation)) throw error;
      const fresh = await this.network.choosePort();
      this.logger.info(
        `tunnel ${this.id}: local port ${port} is busy (${errorText(error)}); moving to port ${fresh}`,
        {
          tunnel: this.id,
          from: port,
          to: fresh,
        },
      );
      this.localPort = fresh;
      return await this.openOn(fresh, generation);
    }
  }

  private async openOn(port: number, generation: number) {
    const opened: { close(): void }[] = [];
    const current = () => {
      if (this.recovery.isCurrent(generation)) return;
      for (const item of opened) item.close();
      throw new Superseded();
    };
    try {
      const handOver = this.pendingHandOver;
      this.pendingHandOver = undefined;
      handOver?.();
      const punched = await this.network.punch(port);
      current();
      this.decideInbound(port, punched.publicAddress.port);
      const keepAlive = await this.network.keepAlive(port, (reason) => this.onLost(generation, reason));
      opened.push(keepAlive);
      current();
      const listener = await this.listenFor(port);
      opened.push(listener);
      current();
      return { port, punched, keepAlive, listener };
    } catch (error) {
      if (!(error instanceof Superseded)) for (const item of opened) item.close();
      throw error;
    }
  }

  /**
   * Lets the owner pick the path for the ports just punched; a choice that cannot work is refused.
   * The owner logs a change: it knows why it chose (this tunnel only knows what), and one line is enough.
   */
  private decideInbound(localPort: number, publicPort: number): void {
    if (!this.chooseInbound) return;
    const next = this.chooseInbound({ localPort, publicPort });
    if (!next) return;
    if (next.kind === "relay-port" && next.port === localPort)
      throw new Error(
        `tunnel "${this.id}": the relay port ${next.port} must differ from local port ${localPort}`,
      );
    if (next.kind === "relay-port" && next.port) this.relayPort = next.port;
    this.inbound = next;
  }

  /** Our listener for this path: on P, on relay port R, or none where the kernel or the downloader takes P. */
  private async listenFor(port: number): Promise<PortListener> {
    if (this.inbound.kind === "kernel-dnat" || this.inbound.kind === "downloader-on-p") return { close() {} };
    if (this.inbound.kind === "relay-port") this.relayPort ??= await this.network.choosePort();
    const at = this.inbound.kind === "relay-port" ? (this.relayPort as number) : port;
    return this.network.listen(
      at,
      (socket) => this.accept(socket),
      (error) => this.logger.warn(`tunnel ${this.id}: accepting on port ${at} failed: ${error.message}`),
    );
  }

  private accept(socket: Socket): void {
    try {
      this.handler.handle(socket);
    } catch (error) {
      this.logger.error(`tunnel ${this.id}: the inbound handler threw; peer dropped: ${errorText(error)}`);
      socket.destroy();
    }
  }

  /** Any sign that the open mapping is gone: close everything and punch again. */
  private onLost(generation: number, reason: string): void {
    if (!this.recovery.isCurrent(generation) || this.state !== "OPEN" || !this.session) return;
    const wording = { noun: "tunnel", from: `local port ${this.localPort}` };
    this.recovery.lost(reason, this.session.openedAt, wording, () => this.closeSession());
  }

  private onNetworkChange(description: string): void {
    this.recovery.networkChanged(this.state, description, () =>
      this.logger.info(`tunnel ${this.id}: ${description}; retrying now`, { tunnel: this.id }),
    );
  }

  private async recheck(generation: number): Promise<void> {
    if (this.recheckBusy) return;
    this.recheckBusy = true;
    try {
      const ip = await this.network.recheckPublicIp();
      if (!this.recovery.isCurrent(generation)) return;
      this.lastRecheckAt = new Date();
      this.lastRecheckError = undefined;
      if (this.publicAddress && ip !== this.publicAddress.ip) {
        this.onLost(
          generation,
          `a STUN recheck sees public IP ${ip}, but the tunnel was opened on ${this.publicAddress.ip}`,
        );
      }
    } catch (error) {
      if (!this.recovery.isCurrent(generation)) return;
      const text = errorText(error);
      // The keep-alive still guards the mapping; say so once per new error rather than every interval.
      if (text !== this.lastRecheckError) {
        this.logger.warn(`tunnel ${this.id}: public IP recheck failed (the tunnel stays open): ${text}`, {
          tunnel: this.id,
        });
      }
      this.lastRecheckError = text;
    } finally {
      this.recheckBusy = false;
    }
  }

  private closeSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    clearInterval(session.recheckTimer);
    this.lastKeepalive = session.keepAlive.lastAnswerAt ?? this.lastKeepalive;
    // Listener first: P must be free of it before the next punch binds P again.
    session.listener.close();
    session.keepAlive.close();
  }

  private setState(state: TunnelState, reason: string): void {
    const previous = this.state;
    this.state = state;
    this.reason = reason;
    const status = this.status;
    const fields = {
      tunnel: this.id,
      from: previous,
      to: state,
      localPort: status.localPort,
      publicAddress: status.publicAddress ? formatAddress(status.publicAddress) : undefined,
    };
    const line = `tunnel ${this.id} ${previous} -> ${state}: ${reason}`;
    if (state === "FAILED" || state === "RECOVERING") this.logger.warn(line, fields);
    else this.logger.info(line, fields);
    const event: TunnelEvent = { previous, status };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`tunnel ${this.id}: a state listener threw: ${errorText(error)}`);
      }
    }
  }
}
