/** errno codes that mean "this local port cannot be used for that connection now", not "the network failed". */
const BUSY_CODES = new Set(["EADDRINUSE", "EADDRNOTAVAIL"]);

/**
 * True when an error (or one of its causes) says the local port is taken: a listener on it, or a
 * TIME_WAIT leftover towards the same server. The cure is another local port, never waiting.
 */
export function isLocalPortBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && BUSY_CODES.has(code)) return true;
    // A failed STUN race keeps each server's error in `failures`, not in `cause`, and says so itself.
    if ((e as { localPortBusy?: unknown }).localPortBusy === true) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isLocalPortBusy(inner))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
