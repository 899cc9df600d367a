import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isLoopbackHost } from "../graphql/auth.js";
import { attachWebSocket } from "../graphql/websocket.js";
import { createGraphQLHandler, type Services } from "../graphql/yoga.js";
import { serveConsole, serveDocs } from "./static.js";

export interface HttpOptions {
  host: string;
  port: number;
  token?: string;
  services: Services;
}

export interface RunningHttp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Splits "host:port" (IPv6 in brackets). */
export function splitHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(value.slice(at + 1)) };
}

/**
 * One HTTP server for the console at `/` and GraphQL at `/graphql` (HTTP, SSE and WebSocket). On a
 * loopback address without a token, requests naming another Host are refused: that stops a web page
 * from reaching the API through DNS rebinding.
 */
export async function startHttp(options: HttpOptions): Promise<RunningHttp> {
  const yoga = createGraphQLHandler(options.services, options.token);
  const guardHost = !options.token && isLoopbackHost(options.host);
  const server = createServer((req, res) => {
    if (guardHost) {
      const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (!isLoopbackHost(hostHeader)) {
        res
          .writeHead(403, { "content-type": "text/plain" })
          .end("AutoSTUN answers only to localhost names.\n");
        return;
      }
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/graphql") void yoga(req, res);
    else if (path?.startsWith("/docs/")) serveDocs(req, res);
    else serveConsole(req, res);
  });
  const ws = attachWebSocket(server, options.services, options.token);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}/`,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
