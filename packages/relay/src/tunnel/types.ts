import type { PublicAddress } from "../punch/stun-race.js";
import type { TunnelPath } from "./inbound-path.js";

/** Lifecycle of a tunnel, as the GraphQL contract names it. */
export type TunnelState = "STOPPED" | "OPENING" | "OPEN" | "RECOVERING" | "FAILED";

/** Everything a user (or the console) may want to know about one tunnel right now. */
export interface TunnelStatus {
  id: string;
  state: TunnelState;
  /** Why the tunnel is in this state, in words. */
  reason: string;
  /** Port P: where the tunnel punches from and listens (undefined until chosen). */
  localPort: number | undefined;
  /** Where peers on the internet connect; undefined unless the tunnel has opened. */
  publicAddress: PublicAddress | undefined;
  /**
   * The private side of that mapping: the address of this host the keep-alive from P leaves on, and P.
   * Undefined unless the tunnel has opened; like `publicAddress` it keeps the last open's value.
   */
  privateAddress: PublicAddress | undefined;
  /** The STUN server whose answer gave `publicAddress`. */
  stunServer: string | undefined;
  /** Last answer from the keep-alive target. */
  lastKeepaliveAt: Date | undefined;
  /** Last successful STUN recheck of the public IP. */
  lastRecheckAt: Date | undefined;
  /** Why the last recheck failed, while it keeps failing (the tunnel itself may be fine). */
  lastRecheckError: string | undefined;
  /** How often the tunnel came back after losing its mapping. */
  recoveryCount: number;
  lastRecoveryAt: Date | undefined;
  /** When the tunnel last became OPEN (first open or recovery); undefined unless it is OPEN now. */
  openSince: Date | undefined;
  /** From noticing the loss to being open again, for the last recovery. */
  lastRecoveryMs: number | undefined;
  /** Failed attempts in a row (0 once open). */
  failedAttempts: number;
  /** When the next attempt runs, while waiting after failures. */
  nextRetryAt: Date | undefined;
  /** How peers reach the downloader (see `TunnelInbound`). */
  path: TunnelPath;
  /** What that path costs, in one line. */
  pathCost: string;
  /** Where our own listener is (P, relay port R) or undefined when nothing of ours listens. */
  listenPort: number | undefined;
}

/** The ports a tunnel is open on: local P and the public port peers dial. */
export interface TunnelPorts {
  localPort: number;
  publicPort: number;
}

/** A change of ports, with the ones announced before (absent on the first open). */
export interface PortChange extends TunnelPorts {
  previous: TunnelPorts | undefined;
}

export type PortChangeListener = (change: PortChange) => void;

/** One change of a tunnel: a new state, or a new reason (e.g. another failed retry). */
export interface TunnelEvent {
  previous: TunnelState;
  status: TunnelStatus;
}

export type TunnelListener = (event: TunnelEvent) => void;
