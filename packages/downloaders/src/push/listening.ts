import { connect } from "node:net";

/**
 * True when something accepts a TCP connection on host:port from this host. qBittorrent and
 * Transmission report the port they were told even when binding it failed, so only this tells.
 */
export function acceptsConnections(host: string, port: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    const done = (open: boolean) => {
      signal?.removeEventListener("abort", abort);
      socket.destroy();
      resolve(open);
    };
    const abort = () => done(false);
    signal?.addEventListener("abort", abort, { once: true });
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
