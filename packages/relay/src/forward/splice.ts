import type { Socket } from "node:net";

/**
 * Joins two connected sockets. Each direction is a `data` listener that writes the very Buffer it
 * was handed (no copy) and pauses its source when the far side's buffer passes its high-water mark,
 * resuming on `drain`; so at most one high-water mark per direction is held. A FIN one way becomes a
 * FIN onward while the other direction keeps flowing; both sockets are half-open for that. When
 * either socket closes for good the other goes too: reset for reset, so a peer that aborted looks
 * aborted to the downloader rather than like a clean goodbye.
 *
 * Not `pipe`: its bookkeeping (about a dozen listeners and closures per direction, for unpipe,
 * errors and finish) is memory every idle connection carries, and the close handling below already
 * covers what it guards against.
 */
export function splice(a: Socket, b: Socket): void {
  pump(a, b);
  pump(b, a);
  a.once("close", (hadError) => follow(b, hadError));
  b.once("close", (hadError) => follow(a, hadError));
}

function pump(from: Socket, to: Socket): void {
  from.on("data", (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on("drain", () => from.resume());
  from.once("end", () => to.end());
  from.resume();
}

function follow(socket: Socket, abort: boolean): void {
  if (socket.destroyed) return;
  if (abort) socket.resetAndDestroy();
  else socket.destroy();
}
