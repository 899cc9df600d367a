import type { PublicAddress, TunnelState } from "@autostun/relay";

/**
 * How the UDP public port was made equal to the TCP one:
 * - `SAME_LOCAL_PORT`: bound where the gateway keeps the port (port-preserving, or a wanted port it had free);
 * - `SEARCH`: a search among UDP mappings found one on the TCP public port;
 * - `PAIR`: TCP moved too: a TCP and a UDP mapping with equal public ports were found together;
 * - `DOWNLOADER`: the downloader holds UDP on the public port itself (direct-downloader path).
 */
export type TunnelUdpMatch = "SAME_LOCAL_PORT" | "SEARCH" | "PAIR" | "DOWNLOADER";

/** What the last equal-port search spent, so a user can see what was tried. */
export interface TunnelUdpSearch {
  outcome: "FOUND" | "NOT_FOUND";
  /** The failure's code (`EqualPortFailureCode`) when not found. */
  code?: string;
  sockets: number;
  packets: number;
  elapsedMs: number;
  at: Date;
}

/** A tunnel's UDP side, as `Tunnel.udp` shows it; absent from the view when `udp: false`. */
export interface TunnelUdpView {
  /** The tunnel's state names, for the UDP mapping alone. */
  state: TunnelState;
  /** Why, in words; when no equal port was found it says what was tried and that TCP keeps working. */
  reason: string;
  /** The UDP mapping's public side (kept from the last open, like the TCP one). */
  publicAddress: PublicAddress | undefined;
  /** The local UDP port holding the mapping. */
  localPort: number | undefined;
  /** True only while the UDP public address equals the TCP public address (IP and port). */
  samePort: boolean;
  lastKeepaliveAt: Date | undefined;
  /** How the equal port was reached; absent until it was. */
  match?: TunnelUdpMatch;
  /** The last equal-port search; absent while none ran. */
  search?: TunnelUdpSearch;
}

/** UDP counters of one tunnel; null where not known (kernel forwarding counts less). */
export interface TunnelUdpStats {
  /** Peer sessions live now. */
  active: number;
  /** Sessions (user space) or flows (kernel) accepted since the tunnel started. */
  handled: number;
  /** Datagrams from banned peers dropped. */
  blocked: number;
  /** Datagrams dropped for limits or backpressure (user space only). */
  dropped: number;
  bytesIn: number;
  bytesOut: number;
}
