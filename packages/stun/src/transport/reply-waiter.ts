import { type Endpoint, type StunReply, StunTransactionError } from "./types.js";

/** A request waiting for its reply, keyed by transaction id in its transport's table. */
export interface ReplyWaiter {
  startedAt: number;
  /** When the latest datagram of the transaction went out (UDP retransmissions move it). */
  lastSentAt: number;
  resolve(reply: StunReply): void;
  reject(error: StunTransactionError): void;
}

/**
 * Registers a waiter under `key` that settles exactly once — on a reply, on a rejection by the transport
 * (timeout, send failure, close) or when `signal` aborts — and then leaves the table and runs `onSettle`
 * so the caller can clear its timers. Shared by the UDP and TCP clients.
 */
export function waitForReply(
  waiters: Map<string, ReplyWaiter>,
  key: string,
  target: Endpoint,
  signal: AbortSignal | undefined,
  onSettle: () => void,
): Promise<StunReply> {
  return new Promise<StunReply>((resolve, reject) => {
    const cleanup = () => {
      onSettle();
      signal?.removeEventListener("abort", onAbort);
      waiters.delete(key);
    };
    const onAbort = () => {
      cleanup();
      reject(
        new StunTransactionError("ABORTED", `aborted waiting for ${target.address}:${target.port}`, target),
      );
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const now = performance.now();
    waiters.set(key, {
      startedAt: now,
      lastSentAt: now,
      resolve: (reply) => {
        cleanup();
        resolve(reply);
      },
      reject: (error) => {
        cleanup();
        reject(error);
      },
    });
  });
}
