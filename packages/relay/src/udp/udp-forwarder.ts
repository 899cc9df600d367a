import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { cidrContains, formatIp, type IpAddress, parseIp } from "@autostun/ip";
import type { Disposable, Logger } from "@autostun/plugins-api";
import type { BanEvent } from "../bans/ban-list.js";
import { formatEndpoint } from "../connections/connection-record.js";
import { PerIpCounter } from "../forward/per-ip-counter.js";
import { ProxyAddressPool } from "../proxy-address/proxy-address-pool.js";
import {
  type UdpForwarderOptions,
  type UdpForwarderStats,
  validateUdpForwarderOptions,
} from "./udp-forwarder-options.js";

interface Session {
  readonly id: string;
  /** `ip:port` of the peer as the mapping socket saw it. */
  readonly key: string;
  readonly peer: { address: string; port: number };
  readonly ip: IpAddress;
  readonly ipText: string;
  /** Replaced once if binding to a 127.x.y.z address is refused. */
  socket: Socket;
  proxyIp: string | undefined;
  /** Connected to the target; until then datagrams wait in `pending` (bounded). */
  ready: boolean;
  closed: boolean;
  pending: Buffer[];
  lastActive: number;
  replied: boolean;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The user-space UDP forwarder. Every datagram a peer sends to the tunnel's mapping socket belongs to
 * a session keyed by the peer's address and port; each session has its own socket connected to the
 * target (bound to the peer's 127.x.y.z address for a loopback target, so the downloader sees one
 * address per real peer). What the target answers on that socket goes back to the peer from the
 * mapping socket, so replies leave through the held mapping. Bans are checked at a session's first
 * datagram, limits bound the sessions, and a full send queue drops instead of buffering.
 */
export class UdpForwarder {
  private readonly settings: ReturnType<typeof validateUdpForwarderOptions>;
  private realAddresses: boolean;
  private readonly sessions = new Map<string, Session>();
  private readonly perIp = new PerIpCounter();
  private readonly pool = new ProxyAddressPool();
  private readonly counters: UdpForwarderStats = {
    active: 0,
    sessions: 0,
    datagramsIn: 0,
    datagramsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    droppedByBan: 0,
    droppedByLimit: 0,
    droppedByBackpressure: 0,
    closedByBan: 0,
    idleTimeouts: 0,
    targetErrors: 0,
    replyErrors: 0,
  };
  private readonly unsubscribe: () => void;
  private readonly banSubscription: Disposable | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private nextLocalId = 1;
  private readonly onSent = (error: Error | null) => {
    if (error) this.counters.targetErrors++;
  };
  private readonly onReplySent = (error: Error | null) => {
    // The peer's route or our socket failed for this one datagram; UDP carries on without it.
    if (error) this.counters.replyErrors++;
  };

  constructor(private readonly options: UdpForwarderOptions) {
    this.settings = validateUdpForwarderOptions(options);
    const { target } = options;
    const ipv4Loopback = target.scope === "loopback" && target.ip.family === 4;
    this.realAddresses = (options.realAddresses ?? ipv4Loopback) && ipv4Loopback;
    this.unsubscribe = options.port.onDatagram((data, from) => this.fromPeer(data, from));
    this.banSubscription = options.bans?.onChange((event) => this.onBanChange(event));
    const shortest = Math.min(this.settings.idleTimeoutMs, this.settings.unrepliedTimeoutMs);
    // A session outlives its timeout by at most a quarter of it (and never by more than 5 s).
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, Math.max(10, shortest / 4)));
    this.sweeper.unref();
  }

  stats(): UdpForwarderStats {
    return { ...this.counters, active: this.sessions.size };
  }

  /** Whether peers are shown to the target as distinct 127.x.y.z addresses right now. */
  get showsRealAddresses(): boolean {
    return this.realAddresses;
  }

  /** Stops listening to the mapping socket and closes every session. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.banSubscription?.dispose();
    clearInterval(this.sweeper);
    for (const session of [...this.sessions.values()]) this.end(session);
  }

  private fromPeer(data: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    const key = `${from.address}:${from.port}`;
    const session = this.sessions.get(key) ?? this.open(key, from);
    if (!session) return;
    session.lastActive = Date.now();
    if (!session.ready) {
      if (session.pending.length >= this.settings.maxQueuedDatagrams) {
        this.counters.droppedByBackpressure++;
        return;
      }
      session.pending.push(data);
      return;
    }
    this.toTarget(session, data);
  }

  private toTarget(session: Session, data: Buffer): void {
    if (session.socket.getSendQueueCount() >= this.settings.maxQueuedDatagrams) {
      this.counters.droppedByBackpressure++;
      return;
    }
    this.counters.datagramsIn++;
    this.counters.bytesIn += data.length;
    session.bytesIn += data.length;
    session.socket.send(data, this.onSent);
  }

  private fromTarget(session: Session, data: Buffer): void {
    if (session.closed) return;
    session.lastActive = Date.now();
    session.replied = true;
    const { port } = this.options;
    if (port.sendQueueCount >= this.settings.maxQueuedDatagrams) {
      this.counters.droppedByBackpressure++;
      return;
    }
    this.counters.datagramsOut++;
    this.counters.bytesOut += data.length;
    session.bytesOut += data.length;
    port.sendTo(data, session.peer, this.onReplySent);
  }

  /** The first datagram of a peer endpoint: bans, then limits, then a session. */
  private open(key: string, from: RemoteInfo): Session | undefined {
    const ip = parseIp(from.address);
    if (!ip) return undefined;
    if (this.options.bans?.match(ip)) {
      this.counters.droppedByBan++;
      return undefined;
    }
    const ipText = formatIp(ip);
    if (
      this.sessions.size >= this.settings.maxSessions ||
      this.perIp.count(ipText) >= this.settings.maxPerIp
    ) {
      this.counters.droppedByLimit++;
      return undefined;
    }
    const { target, table } = this.options;
    const id = table?.newId() ?? `${target.tunnelId}-udp-${this.nextLocalId++}`;
    const proxyIp = this.realAddresses ? this.pool.acquire(ip) : undefined;
    const session: Session = {
      id,
      key,
      peer: { address: from.address, port: from.port },
      ip,
      ipText,
      socket: createSocket({ type: target.ip.family === 6 ? "udp6" : "udp4" }),
      proxyIp,
      ready: false,
      closed: false,
      pending: [],
      lastActive: Date.now(),
      replied: false,
      bytesIn: 0,
      bytesOut: 0,
    };
    this.sessions.set(key, session);
    this.perIp.add(ipText);
    this.counters.sessions++;
    table?.open(
      {
        id,
        tunnelId: target.tunnelId,
        protocol: "UDP",
        remoteAddress: formatEndpoint(ipText, from.port),
        proxyAddress: null,
        openedAt: new Date(),
        closedAt: null,
        bytesIn: 0,
        bytesOut: 0,
        geo: null,
      },
      () => ({ bytesIn: session.bytesIn, bytesOut: session.bytesOut }),
    );
    this.connect(session, session.socket);
    return session;
  }

  private connect(session: Session, socket: Socket): void {
    const { target } = this.options;
    const onEarlyError = (error: NodeJS.ErrnoException) => {
      if (session.closed) return;
      if (session.proxyIp && (error.code === "EADDRNOTAVAIL" || error.code === "EINVAL")) {
        // Only Linux routes all of 127.0.0.0/8 to loopback by default; elsewhere show one address.
        this.realAddresses = false;
        this.log()?.warn(
          "cannot send UDP from 127.x.y.z addresses here; the downloader will see every UDP peer as 127.0.0.1",
          { tunnel: target.tunnelId, localAddress: session.proxyIp, error: error.code },
        );
        this.pool.release(session.proxyIp);
        session.proxyIp = undefined;
        socket.close();
        const again = createSocket({ type: target.ip.family === 6 ? "udp6" : "udp4" });
        session.socket = again;
        this.connect(session, again);
        return;
      }
      this.counters.targetErrors++;
      this.log()?.warn("UDP session to the target failed", {
        tunnel: target.tunnelId,
        target: target.text,
        error: error.message,
      });
      this.end(session);
    };
    socket.once("error", onEarlyError);
    socket.on("message", (data) => this.fromTarget(session, data));
    socket.bind({ port: 0, ...(session.proxyIp ? { address: session.proxyIp } : {}) }, () => {
      if (session.closed) return;
      socket.connect(target.port, target.host, () => {
        if (session.closed) return;
        socket.off("error", onEarlyError);
        socket.on("error", () => {
          // An ICMP error for one datagram (the target restarted…): counted on send; the session stays.
          this.counters.targetErrors++;
        });
        session.ready = true;
        const local = socket.address();
        this.options.table?.setProxyAddress(session.id, formatEndpoint(local.address, local.port));
        const waiting = session.pending;
        session.pending = [];
        for (const data of waiting) this.toTarget(session, data);
        const { geo, table } = this.options;
        if (geo && table) setImmediate(() => table.setGeo(session.id, geo.lookup(session.ipText)));
      });
    });
  }

  private sweep(): void {
    const now = Date.now();
    const { idleTimeoutMs, unrepliedTimeoutMs } = this.settings;
    for (const session of this.sessions.values()) {
      const limit = session.replied ? idleTimeoutMs : unrepliedTimeoutMs;
      if (now - session.lastActive < limit) continue;
      this.counters.idleTimeouts++;
      this.end(session);
    }
  }

  private end(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    session.pending = [];
    this.sessions.delete(session.key);
    this.perIp.remove(session.ipText);
    if (session.proxyIp) this.pool.release(session.proxyIp);
    try {
      session.socket.close();
    } catch {
      // Already closed (a failed bind closes it).
    }
    this.options.table?.close(session.id);
  }

  private onBanChange(event: BanEvent): void {
    if (event.type !== "banned") return;
    for (const session of [...this.sessions.values()]) {
      if (!cidrContains(event.cidr, session.ip)) continue;
      this.counters.closedByBan++;
      this.log()?.info("closing a live UDP session: its peer was just banned", {
        tunnel: this.options.target.tunnelId,
        peer: session.ipText,
        ban: event.ban.cidr,
      });
      this.end(session);
    }
  }

  private log(): Logger | undefined {
    return this.options.logger;
  }
}
