import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { isLoopbackHost, RequestGuard, Tarpit, TokenGate } from "@autostun/api-guard";
import { createRootLogger, type ScopedLogger } from "@autostun/runtime";
import { attachWebSocket } from "../graphql/websocket.js";
import { createGraphQLHandler } from "../graphql/yoga.js";
import { createMetricsRegistry } from "../metrics/collect.js";
import { serveMetrics } from "../metrics/route.js";
import { type ServiceLookup, Tokens } from "../tokens.js";
import { requestTarget } from "./request-target.js";
import { loggedPath, safeHandler } from "./safe-handler.js";
import { serveConsole, serveDocs } from "./static.js";

export interface HttpOptions {
  host: string;
  port: number;
  /** What every API request and /metrics scrape must carry as `Authorization: Bearer …`. */
  token: string;
  /**
   * Where the token came from when api.token is not set (`<dataDir>/api-token`): refusals name it, and the
   * loopback Host check stays on, as without a configured token before.
   */
  tokenFile?: string;
  services: ServiceLookup;
  /**
   * Web origins (`https://host[:port]`) besides the console's own that may call the API from a browser,
   * e.g. a dashboard on another host. Meant to be fed from a config key such as `api.corsOrigins`.
   */
  allowedOrigins?: readonly string[];
  /** Where refusals and failures are logged; stderr at info level when not given. */
  logger?: ScopedLogger;
}

export interface RunningHttp {
  server: Server;
  url: string;
  /** Applies a reloaded `api.corsOrigins` to the next request on. */
  setAllowedOrigins(origins: readonly string[]): void;
  close(): Promise<void>;
}

/** Splits "host:port" (IPv6 in brackets). */
export function splitHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(value.slice(at + 1)) };
}

/**
 * One HTTP server for the console at `/` and GraphQL at `/graphql` (HTTP, SSE and WebSocket). Every
 * request and every WebSocket upgrade passes the same Host and Origin rules first (see RequestGuard);
 * nothing a client sends can end the process.
 */
export async function startHttp(options: HttpOptions): Promise<RunningHttp> {
  const logger = (options.logger ?? createRootLogger("info")).child({ component: "http" });
  const guard = new RequestGuard({
    guardHost: options.tokenFile !== undefined && isLoopbackHost(options.host),
    extraOrigins: options.allowedOrigins ?? [],
  });
  let lastFullWarning = 0;
  const gate = new TokenGate(options.token, options.tokenFile, new Tarpit(), (event) => {
    if (event.kind === "held")
      logger.warn("wrong API tokens from this client; each is answered only after a delay", {
        client: event.client,
        failures: event.failures,
        delayMs: event.delayMs,
      });
    else if (Date.now() - lastFullWarning > 60_000) {
      lastFullWarning = Date.now();
      logger.warn("the wrong-token tarpit is full; further wrong tokens get 429", { client: event.client });
    }
  });
  const yoga = createGraphQLHandler({ services: options.services, corsOrigins: guard.corsOrigins, gate });
  const ws = attachWebSocket({ yoga, gate });
  const metrics = createMetricsRegistry({
    relay: () => options.services.get(Tokens.Relay),
    checks: () => options.services.get(Tokens.CheckStore),
  });

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, message: string) => {
    logger.warn(message.trim(), {
      method: req.method,
      path: loggedPath(req),
      status,
      remote: req.socket.remoteAddress,
    });
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(message);
  };

  const route = (req: IncomingMessage, res: ServerResponse): Promise<unknown> | undefined => {
    const refusal = guard.refusal(req.headers);
    const target = requestTarget(req.url);
    if (refusal) refuse(req, res, 403, refusal);
    else if ("problem" in target)
      refuse(req, res, 400, `AutoSTUN cannot serve this request: ${target.problem}.\n`);
    else if (target.path === "/graphql") return Promise.resolve(yoga(req, res));
    else if (target.path === "/metrics") return serveMetrics(req, res, metrics, gate);
    else if (target.path.startsWith("/docs/")) serveDocs(target.path, res);
    else serveConsole(req, target.path, res);
    return undefined;
  };

  const server = createServer(safeHandler(route, logger));

  // The upgrade never reaches graphql-ws unless it passes the same rules as any other request.
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (error) => logger.debug("WebSocket upgrade connection failed", { err: error }));
    const answer = (status: number, reason: string, message: string) => {
      logger.warn(message.trim(), {
        path: loggedPath(req),
        status,
        remote: req.socket.remoteAddress,
        upgrade: true,
      });
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
      );
    };
    try {
      const refusal = guard.refusal(req.headers);
      if (refusal) return answer(403, "Forbidden", refusal);
      const target = requestTarget(req.url);
      if ("problem" in target)
        return answer(400, "Bad Request", `AutoSTUN cannot serve this request: ${target.problem}.\n`);
      if (target.path !== "/graphql")
        return answer(404, "Not Found", "WebSocket connections are served at /graphql only.\n");
      ws.handleUpgrade(req, socket, head);
    } catch (error) {
      logger.error("WebSocket upgrade failed", { err: error, path: loggedPath(req) });
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  guard.listening(address.address, address.port);
  server.on("error", (error) => logger.error("HTTP server error", { err: error }));
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}/`,
    setAllowedOrigins: (origins) => guard.setExtraOrigins(origins),
    async close() {
      gate.close();
      await ws.close();
      metrics.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
