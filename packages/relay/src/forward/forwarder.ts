import { connect, type NetConnectOpts, type Socket } from "node:net";
import { cidrContains, formatIp, type IpAddress, parseIp } from "@autostun/ip";
import type { Disposable, Logger } from "@autostun/plugins-api";
import type { BanEvent } from "../bans/ban-list.js";
import { formatEndpoint } from "../connections/connection-record.js";
import type { InboundHandler } from "../inbound.js";
import { ProxyAddressPool } from "../proxy-address/proxy-address-pool.js";
import { FORWARDER_DEFAULTS, type ForwarderOptions, type ForwarderStats } from "./forwarder-options.js";
import { PerIpCounter } from "./per-ip-counter.js";
import { splice } from "./splice.js";
import { TargetErrorReporter } from "./target-error-reporter.js";

interface Live {
  readonly id: string;
  readonly peer: Socket;
  upstream: Socket | undefined;
  readonly ip: IpAddress;
  readonly ipText: string;
  readonly proxyIp: string | undefined;
}

/**
 * The user-space forwarder: takes each peer socket the tunnel accepted, applies bans and limits at
 * the door, and joins it to a fresh connection to the target, from a per-peer 127.x.y.z source when
 * the target is loopback.
 */
export class Forwarder implements InboundHandler {
  private readonly settings: Required<
    Pick<
      ForwarderOptions,
      | "connectTimeoutMs"
      | "idleTimeoutMs"
      | "firstByteTimeoutMs"
      | "maxConnections"
      | "maxPerIp"
      | "highWaterMark"
    >
  >;
  private realAddresses: boolean;
  private readonly live = new Map<string, Live>();
  private readonly perIp = new PerIpCounter();
  private readonly pool = new ProxyAddressPool();
  private readonly counters: ForwarderStats = {
    active: 0,
    handled: 0,
    blocked: 0,
    bytesIn: 0,
    bytesOut: 0,
    blockedByBan: 0,
    blockedByLimit: 0,
    closedByBan: 0,
    targetFailures: 0,
    idleTimeouts: 0,
    firstByteTimeouts: 0,
  };
  private readonly banSubscription: Disposable | undefined;
  private readonly targetErrors: TargetErrorReporter;
  private closed = false;
  private nextLocalId = 1;

  constructor(private readonly options: ForwarderOptions) {
    const { target } = options;
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? FORWARDER_DEFAULTS.connectTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? FORWARDER_DEFAULTS.idleTimeoutMs,
      firstByteTimeoutMs: options.firstByteTimeoutMs ?? FORWARDER_DEFAULTS.firstByteTimeoutMs,
      maxConnections: options.maxConnections ?? FORWARDER_DEFAULTS.maxConnections,
      maxPerIp: options.maxPerIp ?? FORWARDER_DEFAULTS.maxPerIp,
      highWaterMark: options.highWaterMark ?? FORWARDER_DEFAULTS.highWaterMark,
    };
    const ipv4Loopback = target.scope === "loopback" && target.ip.family === 4;
    this.realAddresses = (options.realAddresses ?? ipv4Loopback) && ipv4Loopback;
    this.banSubscription = options.bans?.onChange((event) => this.onBanChange(event));
    this.targetErrors = new TargetErrorReporter(target, options.logger);
  }

  handle(peer: Socket): void {
    const remote = peer.remoteAddress;
    const ip = remote === undefined ? undefined : parseIp(remote);
    if (this.closed || !ip) {
      peer.destroy();
      return;
    }
    const ipText = formatIp(ip);
    const ban = this.options.bans?.match(ip);
    if (ban) {
      this.counters.blocked++;
      this.counters.blockedByBan++;
      this.log()?.debug("banned peer closed at accept", {
        tunnel: this.tunnelId,
        peer: ipText,
        ban: ban.cidr,
      });
      this.refuse(peer, true);
      return;
    }
    if (
      this.live.size >= this.settings.maxConnections ||
      this.perIp.count(ipText) >= this.settings.maxPerIp
    ) {
      this.counters.blocked++;
      this.counters.blockedByLimit++;
      this.log()?.debug("peer refused: connection limit", {
        tunnel: this.tunnelId,
        peer: ipText,
        live: this.live.size,
        fromThisPeer: this.perIp.count(ipText),
      });
      this.refuse(peer, false);
      return;
    }
    this.counters.handled++;
    this.forward(peer, ip, ipText);
  }

  stats(): ForwarderStats {
    let bytesIn = this.counters.bytesIn;
    let bytesOut = this.counters.bytesOut;
    for (const { peer } of this.live.values()) {
      bytesIn += peer.bytesRead;
      bytesOut += peer.bytesWritten;
    }
    return { ...this.counters, active: this.live.size, bytesIn, bytesOut };
  }

  /** Whether peers are shown to the target as distinct 127.x.y.z addresses right now. */
  get showsRealAddresses(): boolean {
    return this.realAddresses;
  }

  /** Refuses new peers and closes every live connection. */
  close(): void {
    this.closed = true;
    this.banSubscription?.dispose();
    for (const entry of [...this.live.values()]) {
      entry.upstream?.destroy();
      entry.peer.destroy();
    }
  }

  private forward(peer: Socket, ip: IpAddress, ipText: string): void {
    // The tunnel's listener should already be half-open and paused (FORWARDER_SERVER_OPTIONS); making
    // sure here keeps a listener built without them from breaking half-close or reading too early.
    peer.allowHalfOpen = true;
    peer.pause();
    peer.setNoDelay(true);
    const id = this.options.table?.newId() ?? `${this.tunnelId}-${this.nextLocalId++}`;
    const proxyIp = this.realAddresses ? this.pool.acquire(ip) : undefined;
    const entry: Live = { id, peer, upstream: undefined, ip, ipText, proxyIp };
    this.live.set(id, entry);
    this.perIp.add(ipText);
    peer.on("error", () => {
      // A peer that vanishes mid-transfer is ordinary on the internet: the close handler cleans up.
    });
    peer.once("close", () => this.finish(entry));
    this.expectFirstByte(entry);
    this.options.table?.open(
      {
        id,
        tunnelId: this.tunnelId,
        remoteAddress: formatEndpoint(ipText, peer.remotePort ?? 0),
        proxyAddress: null,
        openedAt: new Date(),
        closedAt: null,
        bytesIn: 0,
        bytesOut: 0,
        geo: null,
      },
      () => ({ bytesIn: peer.bytesRead, bytesOut: peer.bytesWritten }),
    );
    this.dial(entry, proxyIp);
  }

  private dial(entry: Live, localAddress: string | undefined): void {
    const { target } = this.options;
    const { peer } = entry;
    // Node passes these on to the stream, though its typings omit highWaterMark for sockets.
    const socketOptions: NetConnectOpts & { highWaterMark: number } = {
      host: target.host,
      port: target.port,
      ...(localAddress ? { localAddress } : {}),
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: this.settings.highWaterMark,
    };
    const upstream = connect(socketOptions);
    entry.upstream = upstream;
    const timer = setTimeout(() => {
      upstream.destroy(Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" }));
    }, this.settings.connectTimeoutMs);
    const onEarlyError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (localAddress && (error.code === "EADDRNOTAVAIL" || error.code === "EINVAL") && !peer.destroyed) {
        // Only Linux routes all of 127.0.0.0/8 to loopback by default; elsewhere show one address.
        this.realAddresses = false;
        this.log()?.warn(
          "cannot connect from 127.x.y.z addresses here; the downloader will see every peer as 127.0.0.1",
          {
            tunnel: this.tunnelId,
            localAddress,
            error: error.code,
          },
        );
        this.dial(entry, undefined);
        return;
      }
      this.counters.targetFailures++;
      this.targetErrors.report(error);
      peer.destroy();
    };
    upstream.once("error", onEarlyError);
    upstream.once("connect", () => {
      clearTimeout(timer);
      upstream.off("error", onEarlyError);
      upstream.on("error", () => {
        // Reported through close: the splice tears the peer down with it.
      });
      if (peer.destroyed) {
        upstream.destroy();
        return;
      }
      const table = this.options.table;
      if (upstream.localAddress && upstream.localPort) {
        table?.setProxyAddress(entry.id, formatEndpoint(upstream.localAddress, upstream.localPort));
      }
      splice(peer, upstream);
      peer.setTimeout(this.settings.idleTimeoutMs, () => {
        this.counters.idleTimeouts++;
        peer.destroy();
      });
      const geo = this.options.geo;
      // After the pipe is up, so a database walk never delays the first bytes.
      if (geo && table) setImmediate(() => table.setGeo(entry.id, geo.lookup(entry.ipText)));
    });
    peer.once("close", () => upstream.destroyed || upstream.destroy());
  }

  /** A peer that holds a slot without a word is let go long before the idle timeout would. */
  private expectFirstByte(entry: Live): void {
    const { peer } = entry;
    let timer: NodeJS.Timeout;
    const check = () => {
      if (peer.destroyed || peer.bytesRead > 0 || peer.readableLength > 0) return;
      // The peer is read only once the target answered: until then its bytes wait in the kernel.
      if (!entry.upstream || entry.upstream.connecting) {
        timer = setTimeout(check, this.settings.firstByteTimeoutMs).unref();
        return;
      }
      this.counters.firstByteTimeouts++;
      this.log()?.debug("peer closed: it sent nothing", { tunnel: this.tunnelId, peer: entry.ipText });
      entry.upstream.destroy();
      peer.destroy();
    };
    timer = setTimeout(check, this.settings.firstByteTimeoutMs).unref();
    peer.once("close", () => clearTimeout(timer));
  }

  private finish(entry: Live): void {
    if (!this.live.delete(entry.id)) return;
    this.perIp.remove(entry.ipText);
    if (entry.proxyIp) this.pool.release(entry.proxyIp);
    this.counters.bytesIn += entry.peer.bytesRead;
    this.counters.bytesOut += entry.peer.bytesWritten;
    this.options.table?.close(entry.id);
  }

  private onBanChange(event: BanEvent): void {
    if (event.type !== "banned") return;
    for (const entry of [...this.live.values()]) {
      if (!cidrContains(event.cidr, entry.ip)) continue;
      this.counters.closedByBan++;
      this.log()?.info("closing a live connection: its peer was just banned", {
        tunnel: this.tunnelId,
        peer: entry.ipText,
        ban: event.ban.cidr,
      });
      entry.upstream?.destroy();
      entry.peer.resetAndDestroy();
    }
  }

  /** A reset, not a FIN: a banned peer learns nothing and its client does not linger half-closed. */
  private refuse(peer: Socket, reset: boolean): void {
    peer.on("error", () => {});
    if (reset && !peer.destroyed) peer.resetAndDestroy();
    else peer.destroy();
  }

  private get tunnelId(): string {
    return this.options.target.tunnelId;
  }

  private log(): Logger | undefined {
    return this.options.logger;
  }
}
