import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { startStunServer } from "@autostun/stun";

/** Everything a tunnel needs, on 127.0.0.1 only: a STUN server, a keep-alive target and an echo service. */
export interface LoopbackServices {
  stun: string;
  keepalive: string;
  echo: string;
  close(): Promise<void>;
}

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

export async function startLoopbackServices(): Promise<LoopbackServices> {
  const stun = await startStunServer({ primary: "127.0.0.1", port: 0, udp: false, onError: () => {} });
  const http = createHttpServer((_request, response) => response.end());
  // Held open as long as the tunnel wants: a target that closes idle connections makes it re-punch.
  http.keepAliveTimeout = 0;
  const sockets = new Set<Socket>();
  const echo = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.pipe(socket);
  });
  const [keepalivePort, echoPort] = [await listening(http), await listening(echo)];
  return {
    stun: `127.0.0.1:${stun.endpoints[0]?.port}`,
    keepalive: `127.0.0.1:${keepalivePort}`,
    echo: `127.0.0.1:${echoPort}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      http.closeAllConnections();
      await Promise.all([
        stun.close(),
        new Promise((resolve) => http.close(resolve)),
        new Promise((resolve) => echo.close(resolve)),
      ]);
    },
  };
}

/** A peer: connects from `from` (any 127.x.y.z on Linux), collects what comes back. */
export class Peer {
  received = "";
  readonly closed: Promise<number>;
  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.received += chunk.toString();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.once("close", () => resolve(Date.now())));
  }

  static async connect(port: number, from: string): Promise<Peer> {
    const socket = connect({ host: "127.0.0.1", port, localAddress: from });
    const peer = new Peer(socket);
    // A banned peer may be reset before its own connect callback runs: closing counts as an answer too.
    await Promise.race([new Promise((resolve) => socket.once("connect", resolve)), peer.closed]);
    return peer;
  }

  /** Sends a line and waits (generously) until it came back; false when the connection ended first. */
  async echo(line: string, timeoutMs = 10_000): Promise<boolean> {
    if (this.socket.destroyed) return false;
    this.socket.write(`${line}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes(line)) {
      if (this.socket.destroyed || Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }
}
