import { HEADER_SIZE, MAGIC_COOKIE } from "../message/constants.js";
import { decodeMessage } from "../message/decode.js";
import type { DecodeResult } from "../message/types.js";

/** Result of feeding bytes: whole messages decoded so far, or a reason to drop the connection. */
export type FramerOutput = { ok: true; messages: DecodeResult[] } | { ok: false; error: string };

/**
 * Cuts a TCP byte stream into STUN messages using the 20-byte header's length field (RFC 8489
 * section 6.2.2: no extra framing over plain TCP). Handles messages split over chunks and several
 * in one chunk. A header that cannot begin a STUN message poisons the stream, because there is
 * no way to find the next message boundary after it.
 */
export class StunStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private broken: string | undefined;

  push(chunk: Uint8Array): FramerOutput {
    if (this.broken) return { ok: false, error: this.broken };
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const messages: DecodeResult[] = [];
    let consumed = 0;
    while (this.buffer.length - consumed >= 4) {
      const first = this.buffer[consumed]!;
      if ((first & 0xc0) !== 0) {
        return this.fail(`stream byte ${consumed} does not start a STUN message (first two bits set)`);
      }
      const length = this.buffer.readUInt16BE(consumed + 2);
      if (length % 4 !== 0) {
        return this.fail(`STUN length ${length} at stream byte ${consumed + 2} is not a multiple of 4`);
      }
      if (this.buffer.length - consumed >= 8 && this.buffer.readUInt32BE(consumed + 4) !== MAGIC_COOKIE) {
        return this.fail(
          `no magic cookie at stream byte ${consumed + 4} (STUN over TCP needs RFC 5389 or later)`,
        );
      }
      const total = HEADER_SIZE + length;
      if (this.buffer.length - consumed < total) break;
      messages.push(decodeMessage(this.buffer.subarray(consumed, consumed + total)));
      consumed += total;
    }
    this.buffer = this.buffer.subarray(consumed);
    return { ok: true, messages };
  }

  /** Bytes held while waiting for the rest of a message. */
  get pending(): number {
    return this.buffer.length;
  }

  private fail(error: string): FramerOutput {
    this.broken = error;
    this.buffer = Buffer.alloc(0);
    return { ok: false, error };
  }
}
