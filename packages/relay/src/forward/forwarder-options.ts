import type { Logger } from "@autostun/plugins-api";
import type { BanList } from "../bans/ban-list.js";
import type { ConnectionTable } from "../connections/connection-table.js";
import type { GeoLookup } from "../geo/geo-lookup.js";
import type { ForwardTarget } from "../target/validate-target.js";

export interface ForwarderOptions {
  /** A target that passed `validateTarget`: the forwarder never connects anywhere else. */
  target: ForwardTarget;
  /** Give up on the target after this long, in ms. */
  connectTimeoutMs?: number;
  /** Close a connection with no byte either way for this long, in ms. */
  idleTimeoutMs?: number;
  /**
   * Close a peer that sent nothing for this long after connecting, in ms. A BitTorrent peer that dials
   * in speaks first (the handshake), so silence is a slot held for nothing.
   */
  firstByteTimeoutMs?: number;
  /** Live connections across all peers; more are refused at accept. */
  maxConnections?: number;
  /** Live connections from one peer address. */
  maxPerIp?: number;
  /**
   * Show each peer to a loopback target as its own 127.x.y.z source address. Defaults to on for an
   * IPv4 loopback target; IPv6 loopback has a single address, so there it is off.
   */
  realAddresses?: boolean;
  /** Socket buffer threshold per direction, in bytes: the most a stalled side makes us hold. */
  highWaterMark?: number;
  bans?: BanList;
  table?: ConnectionTable;
  geo?: GeoLookup;
  logger?: Logger;
}

export const FORWARDER_DEFAULTS = {
  connectTimeoutMs: 5_000,
  // BitTorrent peers send a keep-alive every two minutes; three missed ones is a dead peer.
  idleTimeoutMs: 6 * 60_000,
  // Seconds, not minutes: otherwise a few hundred silent connections hold every slot (slowloris).
  firstByteTimeoutMs: 10_000,
  maxConnections: 1_000,
  maxPerIp: 8,
  highWaterMark: 64 * 1024,
} as const;

/**
 * How a tunnel should create the listener whose sockets it hands to `Forwarder.handle`: half-open so
 * a peer's FIN does not end our reply direction, paused so nothing is read before the target is
 * connected, and without Nagle since BitTorrent's small control messages are latency-bound.
 */
export const FORWARDER_SERVER_OPTIONS = {
  allowHalfOpen: true,
  pauseOnConnect: true,
  noDelay: true,
  highWaterMark: FORWARDER_DEFAULTS.highWaterMark,
} as const;

/** The counters a tunnel shows (`Tunnel.stats`), plus why peers were turned away. */
export interface ForwarderStats {
  /** Connections being forwarded now. */
  active: number;
  /** Peers accepted for forwarding (past bans and limits), whether or not the target answered. */
  handled: number;
  /** Peers closed at accept: banned, or over a connection limit. */
  blocked: number;
  /** Bytes from peers to the target. */
  bytesIn: number;
  /** Bytes from the target to peers. */
  bytesOut: number;
  blockedByBan: number;
  blockedByLimit: number;
  /** Live connections cut because a ban arrived for their range. */
  closedByBan: number;
  /** Accepted peers whose target connection failed or timed out. */
  targetFailures: number;
  idleTimeouts: number;
  /** Peers closed because they sent nothing within the first-byte timeout. */
  firstByteTimeouts: number;
}
