import type { Socket } from "node:net";

/**
 * What a tunnel does with a peer that connected to its listener. The tunnel owns punching and keeping
 * the public port; the handler (the forwarder, the ban filter in front of it) owns the peer's socket
 * from here on.
 */
export interface InboundHandler {
  handle(socket: Socket): void;
}
