import type { Socket } from "node:net";
import { BULK_READ_BYTES, borrowPair, doorbellBuffer, returnPair } from "./read-buffers.js";
import { readIntoOwnBuffers, type UserReads } from "./user-reads.js";

/**
 * Joins two connected sockets. A FIN one way becomes a FIN onward while the other direction keeps
 * flowing; both sockets are half-open for that. When either socket closes for good the other goes
 * too: reset for reset, so a peer that aborted looks aborted to the downloader rather than like a
 * clean goodbye.
 *
 * Each direction reads into memory of ours (`OwnBufferPump`, see read-buffers.ts for why); where
 * this Node cannot do that, a `data` listener that writes the very Buffer it was handed. Not `pipe`:
 * its bookkeeping (about a dozen listeners and closures per direction) is memory every idle
 * connection carries, and the close handling below already covers what it guards against.
 */
export function splice(a: Socket, b: Socket): void {
  const pumps = [pump(a, b), pump(b, a)];
  let closed = 0;
  const onClose = (other: Socket) => (hadError: boolean) => {
    follow(other, hadError);
    // Both handles are gone only after both close events: then no read and no write can touch the
    // pumps' buffers any more, and they go back to the pool.
    if (++closed === 2) for (const each of pumps) each?.release();
  };
  a.once("close", onClose(b));
  b.once("close", onClose(a));
}

function pump(from: Socket, to: Socket): OwnBufferPump | undefined {
  from.once("end", () => to.end());
  const own = new OwnBufferPump(from, to);
  if (readIntoOwnBuffers(from, own)) {
    from.resume();
    return own;
  }
  from.on("data", (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on("drain", () => from.resume());
  from.resume();
  return undefined;
}

const DOORBELL = -1;

/**
 * One direction in `onread` mode. Reads land in the shared doorbell buffer and are copied out at
 * once, until a large read shows bulk traffic; then reads alternate between a private pair, each
 * written onward without a copy. A buffer is read into again only after its write has completed;
 * when the next one is still being written, reading stops (the callback returns false) and resumes
 * from that write's callback, so at most two buffers per direction wait for a slow receiver. A small
 * read moves the direction back to the doorbell and its pair is returned once its writes are done.
 */
class OwnBufferPump implements UserReads {
  private pair: [Buffer, Buffer] | undefined;
  private readonly writing = [false, false];
  private upcoming = DOORBELL;
  private waitingFor: number | "drain" | undefined;
  private returning = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
  ) {
    to.on("drain", () => {
      if (this.waitingFor !== "drain") return;
      this.waitingFor = undefined;
      from.resume();
    });
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

  /** The sockets are closed: nothing refers to the pair any more. */
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
      this.returning = false;
      this.pair ??= borrowPair();
      if (this.pair && !this.writing[0] && !this.writing[1]) this.upcoming = 0;
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
