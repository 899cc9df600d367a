/** Where a peer's address is, as far as the GeoIP databases know; null where they do not. */
export interface GeoInfo {
  country: string | null;
  city: string | null;
  asn: number | null;
}

/** How a peer reached the downloader: a TCP connection, or a UDP session (uTP, DHT). */
export type ConnectionProtocol = "TCP" | "UDP";

/** One peer connection through a tunnel, live (`closedAt` null) or recent. */
export interface ConnectionRecord {
  readonly id: string;
  readonly tunnelId: string;
  /**
   * TCP or UDP. Records the table hands out always carry it (`open` fills in TCP when it is missing);
   * it is optional here only so records built before UDP existed (a store's old rows) still type-check.
   */
  readonly protocol?: ConnectionProtocol;
  /** The real peer, `ip:port` (`[v6]:port` for IPv6). */
  readonly remoteAddress: string;
  /** What the target (the downloader) sees as the peer, `ip:port`; null until the target answered. */
  proxyAddress: string | null;
  readonly openedAt: Date;
  closedAt: Date | null;
  /** Peer → target. */
  bytesIn: number;
  /** Target → peer. */
  bytesOut: number;
  geo: GeoInfo | null;
}

/**
 * Where connection records go besides memory: the daemon plugs SQLite in here. Calls are
 * fire-and-forget from the forwarding path, so an implementation must not block and reports its own
 * failures (the table logs a throw and carries on).
 */
export interface ConnectionSink {
  /** A connection was accepted and is being forwarded. */
  record(connection: Readonly<ConnectionRecord>): void;
  /** Its proxy address, bytes or geo changed (bytes are flushed periodically, not per chunk). */
  update(connection: Readonly<ConnectionRecord>): void;
  /** It closed; the record is final. */
  close(connection: Readonly<ConnectionRecord>): void;
}

/** A record's protocol; TCP for records from before UDP sessions existed. */
export function connectionProtocol(record: Pick<ConnectionRecord, "protocol">): ConnectionProtocol {
  return record.protocol ?? "TCP";
}

export function formatEndpoint(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
