import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How a stand-in answers one request, with its whole body read. */
export type StandInHandler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/**
 * A stand-in for a client's API on loopback, for the answers the lab's real clients will not give on
 * demand (a redirect, a ban, a rotated session, another program on the port, an RPC that never answers).
 * It records each request as "METHOD url body"; `on` swaps the answer and forgets what was seen.
 */
export function standInServer(host = "127.0.0.1") {
  const seen: string[] = [];
  let handler: StandInHandler = (_request, _body, response) => response.end();
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      seen.push(`${request.method} ${request.url} ${body}`);
      handler(request, body, response);
    });
  });
  return {
    seen,
    on(next: StandInHandler) {
      handler = next;
      seen.length = 0;
    },
    /** Listens on a free port; resolves with the base URL. */
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      return `http://${host}:${(server.address() as AddressInfo).port}`;
    },
    stop(): Promise<void> {
      server.closeAllConnections(); // the one that never answers included
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
