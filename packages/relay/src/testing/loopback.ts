import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import type { Logger } from "@autostun/plugins-api";
import { FORWARDER_SERVER_OPTIONS } from "../forward/forwarder-options.js";
import type { InboundHandler } from "../inbound.js";

/** Test helpers: every socket here lives on the loopback interface. */

export interface TestServer {
  server: Server;
  port: number;
  /** Sockets accepted so far, in order. */
  accepted: Socket[];
  close(): Promise<void>;
}

export async function listen(onSocket: (socket: Socket) => void, halfOpen = true): Promise<TestServer> {
  const accepted: Socket[] = [];
  const server = createServer({ allowHalfOpen: halfOpen }, (socket) => {
    accepted.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    server,
    port: (server.address() as AddressInfo).port,
    accepted,
    close: async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a tunnel's listener does: hands each peer to the handler. */
export async function listenWith(handler: InboundHandler): Promise<TestServer> {
  const accepted: Socket[] = [];
  const server = createServer(FORWARDER_SERVER_OPTIONS, (socket) => {
    accepted.push(socket);
    handler.handle(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    server,
    port: (server.address() as AddressInfo).port,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Connects from `localAddress` (any 127.x.y.z plays a distinct peer on Linux). Resolves on close too:
 * a peer refused at accept may see its reset before its own connect callback runs.
 */
export async function dial(port: number, localAddress?: string): Promise<Socket> {
  const socket = connect({
    host: "127.0.0.1",
    port,
    allowHalfOpen: true,
    ...(localAddress ? { localAddress } : {}),
  });
  socket.on("error", () => {});
  await new Promise((resolve) => {
    socket.once("connect", resolve);
    socket.once("close", resolve);
  });
  return socket;
}

/** Resolves with everything read until the other side's FIN or the close. */
export function readToEnd(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const done = () => resolve(Buffer.concat(chunks).toString());
    socket.once("end", done);
    socket.once("close", done);
  });
}

/** Resolves once the other side hung up (FIN or reset); test peers are half-open, so FIN alone counts. */
export function hungUp(socket: Socket): Promise<void> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("end", () => resolve());
    socket.once("close", () => resolve());
    socket.resume();
  });
}

/** A port nothing listens on: bound, then released. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface CapturedLine {
  level: string;
  message: string;
  fields: Record<string, unknown> | undefined;
}

export function captureLogger(): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
