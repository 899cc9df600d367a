import { createServer, type Server, type Socket } from "node:net";

/** The tunnel's listener on port P: every accepted peer goes to `onPeer`. */
export interface PortListener {
  /** Stop accepting now. Peers already handed over are not touched: their owner closes them. */
  close(): void;
}

/**
 * Listen on `port` after the outbound sockets from it are connected. Both sides carry SO_REUSEADDR
 * (libuv sets it on every TCP bind), which is what lets the listener share the port with them.
 */
export function listenOnPort(
  port: number,
  host: string,
  onPeer: (socket: Socket) => void,
  onError: (error: Error) => void,
): Promise<PortListener> {
  return new Promise((resolve, reject) => {
    // Half-open: a peer that has finished sending still gets the rest of the answer; the handler decides.
    const server: Server = createServer({ allowHalfOpen: true }, onPeer);
    server.once("error", (error) =>
      reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error })),
    );
    server.listen({ host, port, exclusive: true }, () => {
      server.removeAllListeners("error");
      // Accept errors (e.g. out of file descriptors) are transient: reported, and the listener keeps going.
      server.on("error", onError);
      resolve({
        // The listening socket is closed right away; the callback would wait for handed-over peers.
        close: () => server.close(),
      });
    });
  });
}
