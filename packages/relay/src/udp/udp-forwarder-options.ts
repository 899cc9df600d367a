import type { Logger } from "@autostun/plugins-api";
import type { Endpoint } from "@autostun/stun";
import type { BanList } from "../bans/ban-list.js";
import type { ConnectionTable } from "../connections/connection-table.js";
import type { GeoLookup } from "../geo/geo-lookup.js";
import type { ForwardTarget } from "../target/validate-target.js";
import type { DatagramListener } from "./udp-stun-port.js";

/**
 * The socket that holds the public UDP mapping, as the forwarder uses it (`UdpStunPort` is one):
 * peers' datagrams come from it, and replies go out through it so they leave on the held mapping.
 */
export interface UdpForwardPort {
  onDatagram(listener: DatagramListener): () => void;
  /** Sends from the mapping socket; `done` gets the error or null. */
  sendTo(data: Uint8Array, to: Endpoint, done: (error: Error | null) => void): void;
  /** Datagrams waiting in user space to leave (the kernel's send buffer was full). */
  readonly sendQueueCount: number;
}

export interface UdpForwarderOptions {
  /** The tunnel's mapping socket. */
  port: UdpForwardPort;
  /** A target that passed `validateTarget`: sessions never send anywhere else. */
  target: ForwardTarget;
  /** Close a session once no datagram went either way for this long, in ms (after the target answered). */
  idleTimeoutMs?: number;
  /** Close a session the target never answered once the peer was quiet for this long, in ms. */
  unrepliedTimeoutMs?: number;
  /** Live sessions across all peers; a new peer's datagrams beyond it are dropped. */
  maxSessions?: number;
  /** Live sessions from one peer address (one per source port). */
  maxPerIp?: number;
  /**
   * Datagrams allowed to wait in user space per socket (a session's, and the mapping's for replies)
   * when the kernel's send buffer is full; more are dropped and counted, never buffered.
   */
  maxQueuedDatagrams?: number;
  /**
   * Show each peer to a loopback target as its own 127.x.y.z source address (the session socket is
   * bound there). Defaults to on for an IPv4 loopback target.
   */
  realAddresses?: boolean;
  bans?: BanList;
  table?: ConnectionTable;
  geo?: GeoLookup;
  logger?: Logger;
}

export const UDP_FORWARDER_DEFAULTS = {
  /**
   * Like conntrack's timeout for a UDP flow that saw replies (`nf_conntrack_udp_timeout_stream`: 180 s
   * for years, 120 s on recent kernels). uTP sends a keep-alive well within it; a DHT node that talks
   * again after that simply opens a new session.
   */
  idleTimeoutMs: 180_000,
  /** Like conntrack's 30 s for a UDP flow without a reply: a DHT query nobody answers holds no slot. */
  unrepliedTimeoutMs: 30_000,
  /** Each session is one socket (a file descriptor), so the total is bounded like TCP connections. */
  maxSessions: 1_000,
  /** A client uses one UDP port for uTP and DHT; a few more allow for restarts and NAT rebinding. */
  maxPerIp: 8,
  /** 64 full-size uTP packets (~75 KiB) per socket: a stalled side costs little, a burst fits. */
  maxQueuedDatagrams: 64,
} as const;

/** Why datagrams were dropped and sessions ended; `Tunnel.stats` material. */
export interface UdpForwarderStats {
  /** Sessions live now. */
  active: number;
  /** Sessions opened (past bans and limits). */
  sessions: number;
  datagramsIn: number;
  datagramsOut: number;
  /** Bytes from peers to the target. */
  bytesIn: number;
  /** Bytes from the target to peers. */
  bytesOut: number;
  /** Datagrams from banned peers, dropped before a session. */
  droppedByBan: number;
  /** Datagrams from new peers dropped because a session limit was reached. */
  droppedByLimit: number;
  /** Datagrams dropped because a socket's send queue was full (either direction). */
  droppedByBackpressure: number;
  /** Live sessions cut because a ban arrived for their range. */
  closedByBan: number;
  idleTimeouts: number;
  /** Send or receive errors on session sockets (the target refused: ICMP port unreachable…). */
  targetErrors: number;
  /** Replies the mapping socket could not send (no route to the peer…). */
  replyErrors: number;
}

/** Checks the numbers in `options`; throws a RangeError naming the option and the value. */
export function validateUdpForwarderOptions(
  options: UdpForwarderOptions,
): Required<
  Pick<
    UdpForwarderOptions,
    "idleTimeoutMs" | "unrepliedTimeoutMs" | "maxSessions" | "maxPerIp" | "maxQueuedDatagrams"
  >
> {
  const where = `UDP forwarder of tunnel "${options.target.tunnelId}"`;
  const pick = (name: keyof typeof UDP_FORWARDER_DEFAULTS, min: number, max: number): number => {
    const value = options[name] ?? UDP_FORWARDER_DEFAULTS[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `${where}: ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  // Timers beyond 2^31-1 ms fire at once in Node.
  const maxMs = 2 ** 31 - 1;
  return {
    idleTimeoutMs: pick("idleTimeoutMs", 1, maxMs),
    unrepliedTimeoutMs: pick("unrepliedTimeoutMs", 1, maxMs),
    maxSessions: pick("maxSessions", 1, 1_000_000),
    maxPerIp: pick("maxPerIp", 1, 1_000_000),
    maxQueuedDatagrams: pick("maxQueuedDatagrams", 1, 1_000_000),
  };
}
