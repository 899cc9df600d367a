import { connect, type Socket } from "node:net";
import type { StunAttribute, StunMessage } from "../message/types.js";
import { prepareRequest } from "./outgoing-request.js";
import { type ReplyWaiter, waitForReply } from "./reply-waiter.js";
import { StunStreamFramer } from "./stream-framer.js";
import { type Endpoint, type StunReply, StunTransactionError } from "./types.js";

export interface TcpConnectOptions {
  /** Local address to bind before connecting. */
  localAddress?: string;
  /**
   * Local port to connect from. Node binds with SO_REUSEADDR on Linux, so several connections
   * (and later a listener, once they are closed) can share it.
   */
  localPort?: number;
  /** Cap on connecting, in ms. Default 3000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TcpRequestOptions {
  attributes?: StunAttribute[];
  message?: StunMessage;
  /** Add FINGERPRINT. Default true. */
  fingerprint?: boolean;
  /** Cap on waiting for the reply, in ms. Default 3000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One TCP connection to a STUN server. Requests may be repeated on it (to watch a mapping),
 * and `socket` stays usable for keeping a NAT mapping alive after the STUN exchange.
 */
export class TcpStunConnection {
  private readonly framer = new StunStreamFramer();
  private readonly waiters = new Map<string, ReplyWaiter>();
  private closedReason: string | undefined;

  private constructor(
    readonly socket: Socket,
    readonly target: Endpoint,
  ) {
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) =>
      this.fail(`TCP error with ${target.address}:${target.port}: ${error.message}`),
    );
    socket.on("close", () => this.fail(`connection to ${target.address}:${target.port} closed`));
  }

  /** Connects, optionally from a chosen local address/port. Rejects with a clear reason. */
  static connect(target: Endpoint, options: TcpConnectOptions = {}): Promise<TcpStunConnection> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new StunTransactionError("ABORTED", "aborted before connecting", target));
        return;
      }
      const socket = connect({
        host: target.address,
        port: target.port,
        localAddress:
          options.localAddress ??
          (options.localPort ? (target.address.includes(":") ? "::" : "0.0.0.0") : undefined),
        localPort: options.localPort,
      });
      const done = (error?: StunTransactionError) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        socket.off("error", onError);
        socket.off("connect", onConnect);
        if (error) {
          socket.destroy();
          reject(error);
        }
      };
      const onAbort = () =>
        done(
          new StunTransactionError(
            "ABORTED",
            `aborted connecting to ${target.address}:${target.port}`,
            target,
          ),
        );
      const onError = (error: Error) =>
        done(
          new StunTransactionError(
            "NETWORK",
            `cannot connect to ${target.address}:${target.port}${options.localPort ? ` from port ${options.localPort}` : ""}: ${error.message}`,
            target,
            { cause: error },
          ),
        );
      const onConnect = () => {
        done();
        resolve(new TcpStunConnection(socket, target));
      };
      const timer = setTimeout(
        () =>
          done(
            new StunTransactionError(
              "TIMEOUT",
              `TCP connect to ${target.address}:${target.port} timed out`,
              target,
            ),
          ),
        options.timeoutMs ?? 3000,
      );
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.once("error", onError);
      socket.once("connect", onConnect);
    });
  }

  get local(): Endpoint {
    return { address: this.socket.localAddress ?? "", port: this.socket.localPort ?? 0 };
  }

  /** Sends a request on this connection and waits for its reply. */
  request(options: TcpRequestOptions = {}): Promise<StunReply> {
    const target = this.target;
    if (this.closedReason)
      return Promise.reject(new StunTransactionError("CLOSED", this.closedReason, target));
    const prepared = prepareRequest(target, options);
    if ("error" in prepared) return Promise.reject(prepared.error);
    const { bytes, key } = prepared;
    let timer: NodeJS.Timeout | undefined;
    const reply = waitForReply(this.waiters, key, target, options.signal, () => clearTimeout(timer));
    timer = setTimeout(() => {
      this.waiters
        .get(key)
        ?.reject(
          new StunTransactionError(
            "TIMEOUT",
            `no STUN reply over TCP from ${target.address}:${target.port}`,
            target,
          ),
        );
    }, options.timeoutMs ?? 3000);
    this.socket.write(bytes);
    return reply;
  }

  /** Ends the connection gracefully (FIN), waiting until it is closed. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      // A peer that never answers the FIN must not keep us waiting.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    const out = this.framer.push(chunk);
    if (!out.ok) {
      this.fail(`bad STUN stream from ${this.target.address}:${this.target.port}: ${out.error}`);
      this.socket.destroy();
      return;
    }
    for (const decoded of out.messages) {
      if (!decoded.ok) continue; // a well-framed but invalid message: skip it, the stream stays in sync
      const waiter = this.waiters.get(Buffer.from(decoded.message.transactionId).toString("hex"));
      waiter?.resolve({
        message: decoded.message,
        transport: "tcp",
        from: {
          family: this.socket.remoteFamily === "IPv6" ? "IPv6" : "IPv4",
          address: this.socket.remoteAddress ?? this.target.address,
          port: this.socket.remotePort ?? this.target.port,
        },
        local: this.local,
        rttMs: performance.now() - waiter.startedAt,
        sampleRttMs: performance.now() - waiter.startedAt,
      });
    }
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    const code = reason.includes("bad STUN stream") ? "PROTOCOL" : "CLOSED";
    for (const w of [...this.waiters.values()]) w.reject(new StunTransactionError(code, reason, this.target));
  }
}

export interface TcpStunRequestOptions
  extends TcpConnectOptions,
    Omit<TcpRequestOptions, "signal" | "timeoutMs"> {
  /** Keep the connection open after the reply and return it (e.g. to keep a mapping alive). */
  keepOpen?: boolean;
}

export interface TcpStunReply extends StunReply {
  /** The open connection, only when `keepOpen` was set. */
  connection?: TcpStunConnection;
}

/**
 * Connect, send one Binding request, read the reply, and close (unless `keepOpen`).
 * `timeoutMs` caps connect and reply together.
 */
export async function tcpStunRequest(
  target: Endpoint,
  options: TcpStunRequestOptions = {},
): Promise<TcpStunReply> {
  const deadline = performance.now() + (options.timeoutMs ?? 3000);
  const connection = await TcpStunConnection.connect(target, options);
  try {
    const reply = await connection.request({
      ...options,
      timeoutMs: Math.max(1, deadline - performance.now()),
    });
    if (options.keepOpen) return { ...reply, connection };
    await connection.close();
    return reply;
  } catch (error) {
    connection.socket.destroy();
    throw error;
  }
}
