import type { StunMessage, TransportAddress } from "../message/types.js";

/** Where to send: a literal IP address and a port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** A decoded reply, tagged with where it really came from (the socket's view, not the server's claim). */
export interface StunReply {
  message: StunMessage;
  transport: "udp" | "tcp";
  /** The packet's real source address and port. */
  from: TransportAddress;
  /** The local address and port that sent the request and received the reply. */
  local: Endpoint;
  /** Time from the first send to the reply. */
  rttMs: number;
  /**
   * Time from the latest send before the reply to the reply. After a retransmission nobody can tell
   * which send was answered (Karn's problem); `rttMs` then includes the waits for lost datagrams, and
   * an RTO derived from it would stretch every later wait. This is the round trip to base one on.
   */
  sampleRttMs: number;
}

/** RFC 8489 section 6.2.1 retransmission timing, scaled down by default for LANs. */
export interface RetransmitOptions {
  /** Initial retransmission timeout in ms, doubled after each send. Default 200. */
  rto?: number;
  /** Total number of sends (RFC 8489's Rc). Default 4. */
  maxSends?: number;
  /** After the last send, wait `rto * lastWaitFactor` ms (RFC 8489's Rm). Default 4. */
  lastWaitFactor?: number;
  /** Hard cap on the whole transaction in ms, whatever the schedule says. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type StunTransactionErrorCode = "TIMEOUT" | "ABORTED" | "CLOSED" | "NETWORK" | "PROTOCOL";

/** Why a transaction produced no reply. Always a rejection, never an uncaught throw. */
export class StunTransactionError extends Error {
  constructor(
    readonly code: StunTransactionErrorCode,
    message: string,
    readonly target?: Endpoint,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StunTransactionError";
  }
}
