import type { Socket } from "node:net";

/**
 * Joins two connected sockets. `pipe` gives backpressure both ways (a side whose writes back up
 * pauses reading of the other, so at most one high-water mark per direction is held) and passes the
 * very Buffer objects read from one side to the other, no copy. Its end-on-end turns a FIN one way
 * into a FIN onward while the other direction keeps flowing; both sockets are half-open for that.
 * When either socket closes for good the other goes too: reset for reset, so a peer that aborted
 * looks aborted to the downloader rather than like a clean goodbye.
 */
export function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.once("close", (hadError) => follow(b, hadError));
  b.once("close", (hadError) => follow(a, hadError));
}

function follow(socket: Socket, abort: boolean): void {
  if (socket.destroyed) return;
  if (abort) socket.resetAndDestroy();
  else socket.destroy();
}
