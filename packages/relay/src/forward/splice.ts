import type { Socket } from "node:net";
import { BULK_READ_BYTES, borrowPair, doorbellBuffer, returnPair } from "./read-buffers.js";
import { readIntoOwnBuffers, type UserReads } from "./user-reads.js";

/**
 * Joins two connected sockets. A FIN one way becomes a FIN onward while the other direction keeps
 * flowing; both sockets are half-open for that. When either socket closes for good the other goes
 * too: reset for reset, so a peer that aborted looks aborted to the downloader rather than like a
 * clean goodbye.
 *
 * Not `pipe`: its bookkeeping (about a dozen listeners and closures per direction) is memory every
 * idle connection carries, and the close handling below already covers what it guards against.
 */
export function splice(a: Socket, b: Socket): void {
  pump(a, b);
  pump(b, a);
  a.once("close", (hadError) => follow(b, hadError));
  b.once("close", (hadError) => follow(a, hadError));
}

/**
 * One direction, as a `data` listener that writes the very Buffer Node hands it and pauses the
 * source while the far side is over its high-water mark: all an idle or chatty connection needs, with
 * nothing but three listeners per direction. The first large read shows bulk traffic; the direction
 * then moves to `OwnBuffers`, and its listeners here go quiet.
 */
function pump(from: Socket, to: Socket): void {
  let own: OwnBuffers | undefined;
  from.on("data", (chunk: Buffer) => {
    const flowing = to.write(chunk);
    if (chunk.length >= BULK_READ_BYTES && !own) own = OwnBuffers.take(from, to);
    if (flowing) return;
    if (own) own.holdUntilDrain();
    else from.pause();
  });
  to.on("drain", () => {
    if (own) own.drained();
    else from.resume();
  });
  from.once("end", () => to.end());
  from.resume();
}

const DOORBELL = -1;

/**
 * A busy direction in `onread` mode, with a private pair of buffers from the pool (see
 * read-buffers.ts): reads alternate between the two, each written onward without a copy. A buffer is
 * read into again only after its write has completed; when the next one is still being written,
 * reading stops (the callback returns false) and resumes from that write's callback, so at most two
 * buffers per direction wait for a slow receiver. A small read later moves the direction to the
 * shared doorbell buffer (copied out at once) and its pair goes back once its writes are done; a
 * large one borrows a pair again. Where this Node cannot read into our memory, the direction stays
 * with `data` events (an inert instance keeps `pump` from asking again).
 */
class OwnBuffers implements UserReads {
  private pair: [Buffer, Buffer] | undefined;
  private readonly writing = [false, false];
  private upcoming = DOORBELL;
  private waitingFor: number | "drain" | undefined;
  private returning = false;

  private constructor(
    private readonly from: Socket,
    private readonly to: Socket,
  ) {}

  static take(from: Socket, to: Socket): OwnBuffers {
    const own = new OwnBuffers(from, to);
    own.pair = borrowPair();
    if (!own.pair) return own;
    own.upcoming = 0;
    if (!readIntoOwnBuffers(from, own)) {
      own.upcoming = DOORBELL;
      own.release();
      return own;
    }
    // Both handles are gone only after both close events: then no read and no write can touch the
    // pair any more, and it goes back to the pool.
    let open = 2;
    const closed = () => --open === 0 && own.release();
    for (const socket of [from, to]) {
      if (socket.closed) closed();
      else socket.once("close", closed);
    }
    return own;
  }

  /** The source's last write went over the far side's high-water mark. */
  holdUntilDrain(): void {
    this.waitingFor = "drain";
    this.from.pause();
  }

  drained(): void {
    if (this.waitingFor !== "drain") return;
    this.waitingFor = undefined;
    this.from.resume();
  }

  next(): Buffer {
    if (this.upcoming === DOORBELL || !this.pair) return doorbellBuffer();
    return this.pair[this.upcoming === 0 ? 0 : 1];
  }

  callback(nread: number, buffer: Buffer): boolean {
    const index = this.upcoming;
    if (index === DOORBELL || !this.pair) return this.copyOut(nread, buffer);
    const pair = this.pair;
    this.writing[index] = true;
    const flowing = this.to.write(buffer.subarray(0, nread), () => this.written(pair, index));
    if (nread < BULK_READ_BYTES) {
      // Quiet again: new reads go to the shared buffer, the pair back to the pool when written.
      this.upcoming = DOORBELL;
      this.returning = true;
      return this.holdUnless(flowing);
    }
    const other = 1 - index;
    this.upcoming = other;
    if (!this.writing[other]) return true;
    this.waitingFor = other;
    return false;
  }

  /** Nothing refers to the pair any more: back to the pool. */
  release(): void {
    if (!this.pair) return;
    returnPair(this.pair);
    this.pair = undefined;
  }

  private copyOut(nread: number, doorbell: Buffer): boolean {
    // The doorbell is everyone's: its bytes must be ours before this callback returns.
    const chunk = Buffer.allocUnsafe(nread);
    doorbell.copy(chunk, 0, 0, nread);
    const flowing = this.to.write(chunk);
    if (nread >= BULK_READ_BYTES) {
      this.pair ??= borrowPair();
      // A pair still being written stays on its way back (`returning`): were this burst to be the
      // last, it would otherwise stay lent, out of the budget, for as long as the connection idles.
      if (this.pair && !this.writing[0] && !this.writing[1]) {
        this.returning = false;
        this.upcoming = 0;
      }
    }
    return this.holdUnless(flowing);
  }

  private holdUnless(flowing: boolean): boolean {
    if (flowing) return true;
    this.waitingFor = "drain";
    return false;
  }

  private written(pair: [Buffer, Buffer], index: number): void {
    if (pair !== this.pair) return;
    this.writing[index] = false;
    if (this.returning && this.upcoming === DOORBELL && !this.writing[0] && !this.writing[1]) {
      this.returning = false;
      this.release();
    }
    if (this.waitingFor === index) {
      this.waitingFor = undefined;
      this.from.resume();
    }
  }
}

function follow(socket: Socket, abort: boolean): void {
  if (socket.destroyed) return;
  if (abort) socket.resetAndDestroy();
  else socket.destroy();
}
