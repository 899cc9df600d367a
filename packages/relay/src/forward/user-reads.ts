import type { Socket } from "node:net";

/** What a socket reading into our memory calls: the callback gets each read; `next` names the memory for the one after. */
export interface UserReads {
  /** `nread` bytes are at the start of `buffer`; return false to stop reading until `socket.resume()`. */
  callback(nread: number, buffer: Buffer): boolean;
  /** Called after every callback (and once now): where the following read goes. */
  next(): Buffer;
}

interface StreamHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/**
 * Switches a connected socket to `onread` mode, the reads-into-our-memory path that Node offers as
 * a constructor option. Sockets a server accepts are built by Node without that option, so this sets
 * the same three fields the constructor would and hands the first buffer to the handle, as Node does
 * when it creates the handle. Returns false, changing nothing, when this Node does not have those
 * fields or data was already read into the stream; the caller then uses `data` events.
 */
export function readIntoOwnBuffers(socket: Socket, reads: UserReads): boolean {
  const handle = (socket as Socket & { _handle?: StreamHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== "function") return false;
  if (socket.connecting || socket.destroyed || socket.readableLength > 0) return false;
  const own = Object.getOwnPropertySymbols(socket);
  const field = (name: string) => own.find((symbol) => symbol.description === name);
  const buffer = field("kBuffer");
  const generate = field("kBufferGen");
  const callback = field("kBufferCb");
  if (!buffer || !generate || !callback) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  // Already in onread mode (someone passed the option): leave it as it is.
  if (fields[buffer]) return false;
  const first = reads.next();
  fields[buffer] = first;
  fields[generate] = () => reads.next();
  fields[callback] = (nread: number, memory: Buffer) => reads.callback(nread, memory);
  handle.useUserBuffer(first);
  return true;
}
