import type { Socket } from "node:net";

/**
 * Close with a RST instead of a FIN. Whoever closes gracefully keeps the 4-tuple in TIME_WAIT for a
 * minute, and a later connect from the same port to the same server then fails with "Cannot assign
 * requested address" — the stall that held Natter for 15 s. A reset leaves nothing behind.
 */
export function closeAbortively(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // Not yet connected or already torn down: there is no 4-tuple to leave behind.
    socket.destroy();
  }
}
