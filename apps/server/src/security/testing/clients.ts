import { type IncomingHttpHeaders, request } from "node:http";
import WebSocket from "ws";
import { authHeader } from "../../testing/known-tokens.js";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given: fetch would normalise paths such as `/%` before they reach the daemon. */
  path: string;
  /**
   * Without an `authorization` header here, the token of the test daemon at `base` is sent (as every
   * client of the daemon must); `authorization: ""` sends none, to see what a client without it gets.
   */
  headers?: Record<string, string>;
  body?: string;
  /** Another loopback source address (e.g. 127.0.0.2), so a test can act as a second client machine. */
  localAddress?: string;
}

/** One HTTP request over node:http, to the daemon at `base` (its `http://127.0.0.1:PORT/` url). */
export function rawRequest(base: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const headers: Record<string, string> = {
    ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    ...authHeader(base),
    ...options.headers,
  };
  if (headers["authorization"] === "") delete headers["authorization"];
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? "GET",
        path: options.path,
        headers,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** Posts one GraphQL operation and parses the JSON answer. */
export async function graphql(
  base: string,
  query: string,
  extra: Omit<RawRequest, "path" | "body" | "method"> = {},
): Promise<
  RawResponse & { json: { data?: Record<string, unknown> | null; errors?: { message: string }[] } }
> {
  const response = await rawRequest(base, {
    ...extra,
    method: "POST",
    path: "/graphql",
    body: JSON.stringify({ query }),
  });
  let json = {};
  try {
    json = JSON.parse(response.body);
  } catch {
    // Refusals before GraphQL (403, 429) answer in plain text; the status tells the test what happened.
  }
  return { ...response, json };
}

/** The daemon still serves an ordinary query to an ordinary client: the proof that it survived. */
export async function answersNormally(base: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await graphql(base, "{ checks { id } }", { headers });
  return response.status === 200 && Array.isArray(response.json.data?.["checks"]);
}

export type UpgradeOutcome = { opened: WebSocket } | { refused: number };

/** Opens a graphql-ws WebSocket with chosen Host/Origin headers and reports whether the upgrade was accepted. */
export function upgrade(
  base: string,
  headers: { host?: string; origin?: string } = {},
): Promise<UpgradeOutcome> {
  const url = `${base.replace(/^http/, "ws")}graphql`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws", {
      ...(headers.host ? { headers: { host: headers.host } } : {}),
      ...(headers.origin ? { origin: headers.origin } : {}),
    });
    socket.once("open", () => resolve({ opened: socket }));
    socket.once("unexpected-response", (_req, response) => {
      resolve({ refused: response.statusCode ?? 0 });
      response.resume();
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

/** Speaks just enough graphql-ws to run operations over an opened socket. */
export class GraphQLSocket {
  private nextId = 0;
  private readonly waiting = new Map<string, (message: Record<string, unknown>) => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const id = typeof message["id"] === "string" ? message["id"] : "connection";
      this.waiting.get(id)?.(message);
    });
    this.closed = new Promise((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Sends connection_init and resolves with the server's answer: ack, or the close that refused it. */
  init(payload: Record<string, unknown> = {}): Promise<"ack" | { code: number; reason: string }> {
    const acked = new Promise<"ack">((resolve) => this.waiting.set("connection", () => resolve("ack")));
    this.socket.send(JSON.stringify({ type: "connection_init", payload }));
    return Promise.race([acked, this.closed]);
  }

  /** Runs one operation and resolves with its first `next` payload or its `error` payload. */
  run(query: string): Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }> {
    const id = String(++this.nextId);
    const answered = new Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }>(
      (resolve) =>
        this.waiting.set(id, (message) => {
          if (message["type"] === "next") resolve(message["payload"] as never);
          if (message["type"] === "error") resolve({ errors: message["payload"] as { message: string }[] });
        }),
    );
    this.socket.send(JSON.stringify({ id, type: "subscribe", payload: { query } }));
    return answered;
  }

  /** Starts an operation without waiting for its answer. */
  start(query: string): void {
    this.socket.send(JSON.stringify({ id: String(++this.nextId), type: "subscribe", payload: { query } }));
  }
}

/** The current status and summary of one check, read through the API. */
export async function checkState(
  base: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<{ status: string; summary: string | null }> {
  const response = await graphql(base, `{ check(id: ${JSON.stringify(id)}) { status summary } }`, {
    headers,
  });
  return response.json.data?.["check"] as { status: string; summary: string | null };
}

/** Asks again until `test` holds; the suite's own timeout bounds the wait. */
export async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
