import { createSocket, type Socket } from "node:dgram";
import { decodeMessage } from "../message/decode.js";
import { familyOf } from "../message/ip.js";
import type { AddressFamily, StunAttribute, StunMessage } from "../message/types.js";
import { prepareRequest } from "./outgoing-request.js";
import { type ReplyWaiter, waitForReply } from "./reply-waiter.js";
import { retransmitSchedule } from "./retransmit.js";
import { type Endpoint, type RetransmitOptions, type StunReply, StunTransactionError } from "./types.js";

export interface UdpClientOptions {
  /** Local address to bind; default the wildcard of `family`. */
  localAddress?: string;
  /** Local port to bind; default 0 (the OS picks). */
  localPort?: number;
  /** Set SO_REUSEADDR so the port can be shared with another socket. */
  reuseAddr?: boolean;
  /** Default: the family of `localAddress`, else IPv4. */
  family?: AddressFamily;
  /** Told about datagrams that are not STUN or not ours (never thrown). */
  onDiscard?: (reason: string, from: Endpoint) => void;
}

export interface UdpRequestOptions extends RetransmitOptions {
  /** Extra attributes for a Binding request (ignored when `message` is given). */
  attributes?: StunAttribute[];
  /** A complete request to send instead of a plain Binding request. */
  message?: StunMessage;
  /** Add FINGERPRINT to the request. Default true. */
  fingerprint?: boolean;
  /** Told about every datagram this transaction sends (the first and each retransmission). */
  onSend?: () => void;
}

/**
 * A UDP socket that runs STUN transactions. Several transactions may be in flight at once; replies
 * are matched by transaction id, whatever address they come from, and each reply says where it
 * came from, which is what NAT behaviour tests need.
 */
export class UdpStunClient {
  private readonly pending = new Map<string, ReplyWaiter>();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly options: UdpClientOptions,
  ) {
    socket.on("message", (data, rinfo) => this.onMessage(data, rinfo));
    // Without a listener an 'error' event would crash the process.
    socket.on("error", (error) =>
      this.failAll(
        new StunTransactionError("NETWORK", `UDP socket error: ${error.message}`, undefined, {
          cause: error,
        }),
      ),
    );
  }

  /** Opens and binds a socket. Rejects with a clear message when the address cannot be bound. */
  static open(options: UdpClientOptions = {}): Promise<UdpStunClient> {
    const family =
      options.family ?? (options.localAddress ? familyOf(options.localAddress) : undefined) ?? "IPv4";
    const socket = createSocket({
      type: family === "IPv6" ? "udp6" : "udp4",
      reuseAddr: options.reuseAddr ?? false,
    });
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        socket.close();
        reject(
          new StunTransactionError(
            "NETWORK",
            `cannot bind UDP ${options.localAddress ?? "*"}:${options.localPort ?? 0}: ${error.message}`,
            undefined,
            { cause: error },
          ),
        );
      };
      socket.once("error", onError);
      socket.bind({ address: options.localAddress, port: options.localPort ?? 0 }, () => {
        socket.off("error", onError);
        resolve(new UdpStunClient(socket, options));
      });
    });
  }

  /** The bound local address and port. */
  get local(): Endpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Runs one transaction to `target`. Rejects with StunTransactionError on timeout, abort or close. */
  request(target: Endpoint, options: UdpRequestOptions = {}): Promise<StunReply> {
    if (this.closed)
      return Promise.reject(new StunTransactionError("CLOSED", "UDP STUN client is closed", target));
    const prepared = prepareRequest(target, options);
    if ("error" in prepared) return Promise.reject(prepared.error);
    const { bytes, key } = prepared;
    const { sends, giveUpAt } = retransmitSchedule(options);
    const timers: NodeJS.Timeout[] = [];

    const reply = waitForReply(this.pending, key, target, options.signal, () => {
      for (const t of timers) clearTimeout(t);
    });
    const send = () => {
      options.onSend?.();
      const waiter = this.pending.get(key);
      if (waiter) waiter.lastSentAt = performance.now();
      this.socket.send(bytes, target.port, target.address, (error) => {
        if (error)
          this.pending
            .get(key)
            ?.reject(
              new StunTransactionError(
                "NETWORK",
                `send to ${target.address}:${target.port} failed: ${error.message}`,
                target,
                { cause: error },
              ),
            );
      });
    };
    for (const at of sends) {
      if (at === 0) send();
      else timers.push(setTimeout(send, at));
    }
    timers.push(
      setTimeout(() => {
        this.pending
          .get(key)
          ?.reject(
            new StunTransactionError(
              "TIMEOUT",
              `no STUN reply from ${target.address}:${target.port} after ${sends.length} sends in ${Math.round(giveUpAt)} ms`,
              target,
            ),
          );
      }, giveUpAt),
    );
    return reply;
  }

  /** Closes the socket; transactions still waiting reject with CLOSED. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.failAll(new StunTransactionError("CLOSED", "UDP STUN client closed"));
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private failAll(error: StunTransactionError): void {
    for (const p of [...this.pending.values()]) p.reject(error);
  }

  private onMessage(data: Buffer, rinfo: { address: string; port: number; family: string }): void {
    const from = { address: rinfo.address, port: rinfo.port };
    const decoded = decodeMessage(data);
    if (!decoded.ok) {
      this.options.onDiscard?.(`undecodable datagram: ${decoded.error}`, from);
      return;
    }
    const message = decoded.message;
    if (message.class !== "success" && message.class !== "error") {
      this.options.onDiscard?.(`unexpected ${message.class} message`, from);
      return;
    }
    const pending = this.pending.get(Buffer.from(message.transactionId).toString("hex"));
    if (!pending) {
      this.options.onDiscard?.("reply for an unknown or finished transaction", from);
      return;
    }
    pending.resolve({
      message,
      transport: "udp",
      from: { family: rinfo.family === "IPv6" ? "IPv6" : "IPv4", address: rinfo.address, port: rinfo.port },
      local: this.local,
      rttMs: performance.now() - pending.startedAt,
      sampleRttMs: performance.now() - pending.lastSentAt,
    });
  }
}
