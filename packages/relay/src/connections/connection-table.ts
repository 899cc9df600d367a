import { EventEmitter } from "node:events";
import { formatIp, parseIp } from "@autostun/ip";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import type { ConnectionProtocol, ConnectionRecord, ConnectionSink } from "./connection-record.js";

export interface ConnectionRetention {
  /** Closed connections kept for `resolvePeer` and listings; oldest dropped first. */
  maxRecent: number;
  /** How long a closed connection stays, in ms. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: ConnectionRetention = { maxRecent: 2000, maxAgeMs: 60 * 60 * 1000 };

export type ConnectionEvent =
  | { type: "opened"; connection: Readonly<ConnectionRecord> }
  | { type: "updated"; connection: Readonly<ConnectionRecord> }
  | { type: "closed"; connection: Readonly<ConnectionRecord> };

interface LiveEntry {
  record: ConnectionRecord;
  /** Reads the byte counters from the sockets, so counting costs nothing per chunk. */
  sample: () => { bytesIn: number; bytesOut: number };
}

export interface ConnectionTableOptions {
  retention?: Partial<ConnectionRetention>;
  sinks?: readonly ConnectionSink[];
  /** How often live byte counts are pushed to the sinks and as `updated` events, in ms. 0 = never. */
  flushIntervalMs?: number;
  logger?: Logger;
}

/**
 * Live and recently closed connections, with the index `resolvePeer` needs: the address the
 * downloader saw → the real peer. Everything is in memory and bounded; sinks get a copy of every
 * change for persistence.
 */
export class ConnectionTable {
  private readonly live = new Map<string, LiveEntry>();
  /** Closed records in closing order, oldest first. */
  private readonly recent = new Map<string, ConnectionRecord>();
  /** Normalised proxy address → id of the newest record that used it. */
  private readonly byProxy = new Map<string, string>();
  private readonly events = new EventEmitter();
  private readonly retention: ConnectionRetention;
  private readonly sinks: ConnectionSink[];
  private readonly flushTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly idPrefix = Date.now().toString(36);

  constructor(private readonly options: ConnectionTableOptions = {}) {
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.sinks = [...(options.sinks ?? [])];
    const every = options.flushIntervalMs ?? 5000;
    if (every > 0) {
      this.flushTimer = setInterval(() => this.flush(), every);
      this.flushTimer.unref();
    }
  }

  newId(): string {
    return `${this.idPrefix}-${(this.nextId++).toString(36)}`;
  }

  /** A connection was accepted; a record without `protocol` is a TCP one. */
  open(record: ConnectionRecord, sample: LiveEntry["sample"]): void {
    // In place: the caller's object is the live record (its counters are refreshed into it).
    if (!record.protocol) (record as { protocol?: ConnectionProtocol }).protocol = "TCP";
    this.live.set(record.id, { record, sample });
    if (record.proxyAddress) this.byProxy.set(normalise(record.proxyAddress), record.id);
    this.emit({ type: "opened", connection: record });
    this.toSinks("record", record);
  }

  /** The target answered: the downloader now sees the peer as `proxyAddress`. */
  setProxyAddress(id: string, proxyAddress: string): void {
    const entry = this.live.get(id);
    if (!entry) return;
    entry.record.proxyAddress = proxyAddress;
    this.byProxy.set(normalise(proxyAddress), id);
    this.changed(entry);
  }

  setGeo(id: string, geo: ConnectionRecord["geo"]): void {
    const entry = this.live.get(id) ?? undefined;
    const record = entry?.record ?? this.recent.get(id);
    if (!record) return;
    record.geo = geo;
    if (entry) this.changed(entry);
    else this.toSinks("update", record);
  }

  close(id: string): void {
    const entry = this.live.get(id);
    if (!entry) return;
    this.live.delete(id);
    Object.assign(entry.record, entry.sample());
    entry.record.closedAt = new Date();
    this.recent.set(id, entry.record);
    this.emit({ type: "closed", connection: entry.record });
    this.toSinks("close", entry.record);
    this.prune();
  }

  /** What the downloader saw (`127.4.5.6:51413`, `[::ffff:127.4.5.6]:51413`) → the real peer. */
  resolvePeer(proxyAddress: string): Readonly<ConnectionRecord> | undefined {
    this.prune();
    const id = this.byProxy.get(normalise(proxyAddress));
    return id === undefined ? undefined : this.get(id);
  }

  get(id: string): Readonly<ConnectionRecord> | undefined {
    const entry = this.live.get(id);
    if (entry) return Object.assign(entry.record, entry.sample());
    return this.recent.get(id);
  }

  /** Live connections first (oldest first), then recent ones (newest first). */
  list(filter: { tunnelId?: string; liveOnly?: boolean } = {}): Readonly<ConnectionRecord>[] {
    this.prune();
    const out: ConnectionRecord[] = [];
    for (const entry of this.live.values()) {
      if (filter.tunnelId === undefined || entry.record.tunnelId === filter.tunnelId) {
        out.push(Object.assign(entry.record, entry.sample()));
      }
    }
    if (filter.liveOnly) return out;
    const closed = [...this.recent.values()].reverse();
    for (const record of closed) {
      if (filter.tunnelId === undefined || record.tunnelId === filter.tunnelId) out.push(record);
    }
    return out;
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Calls `listener` on every connection opened, updated or closed, until the result is disposed. */
  onEvent(listener: (event: ConnectionEvent) => void): Disposable {
    this.events.on("event", listener);
    return toDisposable(() => void this.events.off("event", listener));
  }

  addSink(sink: ConnectionSink): void {
    this.sinks.push(sink);
  }

  /** Pushes fresh byte counts of live connections to sinks and listeners. */
  flush(): void {
    for (const entry of this.live.values()) {
      const { bytesIn, bytesOut } = entry.sample();
      if (bytesIn === entry.record.bytesIn && bytesOut === entry.record.bytesOut) continue;
      entry.record.bytesIn = bytesIn;
      entry.record.bytesOut = bytesOut;
      this.emit({ type: "updated", connection: entry.record });
      this.toSinks("update", entry.record);
    }
    this.prune();
  }

  dispose(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.events.removeAllListeners();
  }

  private changed(entry: LiveEntry): void {
    Object.assign(entry.record, entry.sample());
    this.emit({ type: "updated", connection: entry.record });
    this.toSinks("update", entry.record);
  }

  private prune(): void {
    const oldest = Date.now() - this.retention.maxAgeMs;
    for (const [id, record] of this.recent) {
      const tooMany = this.recent.size > this.retention.maxRecent;
      if (!tooMany && (record.closedAt?.getTime() ?? 0) > oldest) break;
      this.recent.delete(id);
      const key = record.proxyAddress && normalise(record.proxyAddress);
      if (key && this.byProxy.get(key) === id) this.byProxy.delete(key);
    }
  }

  private emit(event: ConnectionEvent): void {
    this.events.emit("event", event);
  }

  private toSinks(method: keyof ConnectionSink, record: ConnectionRecord): void {
    for (const sink of this.sinks) {
      try {
        sink[method](record);
      } catch (error) {
        this.options.logger?.error("connection sink failed; the in-memory table is unaffected", {
          method,
          connectionId: record.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}

/** One spelling per endpoint, so `[::ffff:127.1.2.3]:5` and `127.1.2.3:5` find the same record. */
function normalise(endpoint: string): string {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(endpoint.trim());
  if (!match) return endpoint.trim();
  const ip = parseIp(match[1] ?? "");
  return ip ? `${formatIp(ip)}|${Number(match[2])}` : endpoint.trim();
}
