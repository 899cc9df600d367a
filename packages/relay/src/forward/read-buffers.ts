/**
 * Memory the forwarder reads into. Node's default read path allocates a fresh 64 KiB buffer per
 * read and runs a stream `data` event for it; for bulk transfers that allocation, the event and the
 * small reads are most of our user-space CPU per byte. With `onread` a socket reads into memory we
 * hand it, so a busy direction gets two large buffers of its own and reuses them.
 *
 * Idle connections must not pay for that (10,000 idle ones stay under 200 MB): a direction keeps
 * Node's own reads until one read is large, and only then borrows a private pair from a bounded
 * budget. One that goes quiet again reads into the shared "doorbell" buffer, whose bytes are copied
 * out inside the read callback, before any other socket can read (so sharing it is safe), and hands
 * its pair back.
 */

/** Shared by every direction that has gone quiet after bulk: large enough that a new burst shows itself in one read. */
export const DOORBELL_BYTES = 64 * 1024;
/** A read at least this large marks a direction as bulk. BitTorrent's control messages are far smaller. */
export const BULK_READ_BYTES = 16 * 1024;
/**
 * Each private buffer. Larger buffers mean fewer reads, writes and callbacks per GiB: on loopback a
 * read fills most of 1 MiB (about 860 KiB on average), and 1 MiB measured below 256 KiB in CPU/GiB.
 */
export const BULK_BUFFER_BYTES = 1024 * 1024;
/**
 * The most memory private buffers may hold at once, process-wide: 16 busy directions at 2 × 1 MiB.
 * Directions beyond it keep Node's own reads (or the doorbell), which costs CPU, never correctness.
 */
export const BULK_BUDGET_BYTES = 32 * 1024 * 1024;
/** Returned pairs kept for the next bulk direction instead of being left to the garbage collector. */
const SPARE_PAIRS = 4;

let doorbell: Buffer | undefined;
const spares: [Buffer, Buffer][] = [];
let lentBytes = 0;

/** The buffer quiet directions in onread mode read into; its contents live only until the callback returns. */
export function doorbellBuffer(): Buffer {
  // On first use: a daemon whose peers never send in bulk never needs it.
  doorbell ??= Buffer.allocUnsafeSlow(DOORBELL_BYTES);
  return doorbell;
}

/** Two private buffers for one busy direction, or undefined when the budget is spent. */
export function borrowPair(): [Buffer, Buffer] | undefined {
  if (lentBytes + 2 * BULK_BUFFER_BYTES > BULK_BUDGET_BYTES) return undefined;
  lentBytes += 2 * BULK_BUFFER_BYTES;
  return (
    spares.pop() ?? [Buffer.allocUnsafeSlow(BULK_BUFFER_BYTES), Buffer.allocUnsafeSlow(BULK_BUFFER_BYTES)]
  );
}

/** Gives a pair back once nothing (no socket, no pending write) refers to it any more. */
export function returnPair(pair: [Buffer, Buffer]): void {
  lentBytes -= 2 * BULK_BUFFER_BYTES;
  if (spares.length < SPARE_PAIRS) spares.push(pair);
}

/** Bytes currently lent out as private buffers (for tests and the bench). */
export function bulkBytesLent(): number {
  return lentBytes;
}
