import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";

/** BEP 3: the protocol string every handshake starts with, after its one-byte length (19). */
const PROTOCOL = Buffer.from("BitTorrent protocol", "latin1");
/** 1 + 19 + 8 reserved + 20 info-hash + 20 peer id. */
export const HANDSHAKE_LENGTH = 68;

export interface Handshake {
  protocol: string;
  reserved: string;
  infoHash: string;
  peerId: string;
}

/** The bytes of a BEP 3 handshake, reserved bytes all zero (no extensions offered). */
export function handshakeBytes(infoHash: Buffer, peerId: Buffer): Buffer {
  if (infoHash.length !== 20 || peerId.length !== 20)
    throw new Error("info-hash and peer id are 20 bytes each");
  return Buffer.concat([Buffer.from([PROTOCOL.length]), PROTOCOL, Buffer.alloc(8), infoHash, peerId]);
}

/** Reads a handshake; undefined when the bytes are not one (another protocol, or cut short). */
export function parseHandshake(bytes: Buffer): Handshake | undefined {
  if (bytes.length < HANDSHAKE_LENGTH || bytes[0] !== PROTOCOL.length) return undefined;
  const protocol = bytes.subarray(1, 20).toString("latin1");
  if (protocol !== PROTOCOL.toString("latin1")) return undefined;
  return {
    protocol,
    reserved: bytes.subarray(20, 28).toString("hex"),
    infoHash: bytes.subarray(28, 48).toString("hex"),
    peerId: bytes.subarray(48, 68).toString("latin1"),
  };
}

/** Where the bencoded value starting at `at` ends (exclusive). */
function valueEnd(data: Buffer, at: number): number {
  const kind = String.fromCharCode(data[at] as number);
  if (kind === "i") return data.indexOf(0x65, at) + 1;
  if (kind === "l" || kind === "d") {
    let next = at + 1;
    while (data[next] !== 0x65) next = valueEnd(data, next);
    return next + 1;
  }
  const colon = data.indexOf(0x3a, at);
  if (colon < 0 || !/^\d+$/.test(data.subarray(at, colon).toString("latin1")))
    throw new Error(`not bencode at byte ${at}`);
  return colon + 1 + Number(data.subarray(at, colon).toString("latin1"));
}

/** The torrent's info-hash: SHA-1 of its `info` dictionary exactly as the file encodes it. */
export function infoHashOf(torrent: Buffer): Buffer {
  if (torrent[0] !== 0x64) throw new Error("a .torrent file is a bencoded dictionary");
  let at = 1;
  while (torrent[at] !== 0x65) {
    const keyEnd = valueEnd(torrent, at);
    const key = torrent.subarray(torrent.indexOf(0x3a, at) + 1, keyEnd).toString("latin1");
    const end = valueEnd(torrent, keyEnd);
    if (key === "info") return createHash("sha1").update(torrent.subarray(keyEnd, end)).digest();
    at = end;
  }
  throw new Error("the torrent has no info dictionary");
}

/** A peer id in the usual Azureus style, so clients log it as a known kind of peer. */
export function labPeerId(): Buffer {
  return Buffer.concat([Buffer.from("-AS0001-", "latin1"), randomBytes(12)]);
}

export interface HandshakeOutcome {
  /** The handshake that came back, or undefined when none did. */
  answer?: Handshake;
  /** Why there is none: the connection failed, closed early, or nothing came in time. */
  error?: string;
}

/**
 * Connects to host:port (from `localAddress` when given), sends a handshake for `infoHash` and waits for
 * the other side's. The client decides whether it knows the torrent: it answers only for one it has.
 */
export function exchangeHandshake(options: {
  host: string;
  port: number;
  infoHash: Buffer;
  localAddress?: string;
  timeoutMs?: number;
}): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    let received = Buffer.alloc(0);
    const finish = (outcome: HandshakeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ error: `no handshake within ${options.timeoutMs ?? 10_000} ms` }),
      options.timeoutMs ?? 10_000,
    );
    socket.once("connect", () => socket.write(handshakeBytes(options.infoHash, labPeerId())));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < HANDSHAKE_LENGTH) return;
      const answer = parseHandshake(received);
      finish(
        answer
          ? { answer }
          : { error: `not a BitTorrent handshake: ${received.subarray(0, 68).toString("hex")}` },
      );
    });
    socket.once("end", () => finish({ error: `closed after ${received.length} bytes` }));
    socket.once("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
  });
}
