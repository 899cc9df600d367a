import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import {
  createBindingRequest,
  decodeMessage,
  type Endpoint,
  encodeMessage,
  getMappedAddress,
  looksLikeStun,
  retransmitSchedule,
} from "@autostun/stun";
import type { PublicAddress } from "../punch/stun-race.js";

/** How hard one STUN Binding over UDP tries before it counts as unanswered. */
export interface UdpAskOptions {
  /** First retransmission timeout; each later one doubles. */
  rtoMs: number;
  /** Sends in all (the first plus retransmissions). */
  maxSends: number;
  /** Cap on the whole transaction. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A datagram that was not the answer to one of our own STUN requests (a peer's uTP, DHT…). */
export type DatagramListener = (data: Buffer, from: RemoteInfo) => void;

/** Why a UDP socket could not be bound; `busy` when the local port is someone else's. */
export class UdpBindError extends Error {
  constructor(
    readonly localPort: number,
    readonly busy: boolean,
    cause: Error,
  ) {
    super(
      busy
        ? `local UDP port ${localPort} is already in use on this host; stop what holds it or choose another port`
        : `cannot bind UDP port ${localPort}: ${cause.message}`,
      { cause },
    );
    this.name = "UdpBindError";
  }
}

interface Waiter {
  resolve(address: PublicAddress): void;
  reject(error: Error): void;
}

/**
 * One bound UDP socket that asks STUN servers for its own public address and hands every other
 * datagram on. The socket is the mapping: the router keeps the public port for exactly this local
 * endpoint, so a forwarder later sends its replies from this same socket (see `socket` and `send`).
 * Replies are matched by transaction id; a datagram that is not one of our answers goes to the
 * datagram listeners, never silently into a STUN decoder's bin.
 */
export class UdpStunPort {
  private readonly waiting = new Map<string, Waiter>();
  private readonly listeners = new Set<DatagramListener>();
  /**
   * Servers this socket asked ("ip:port"). Their STUN datagrams never reach the listeners: a late or
   * duplicate answer (the server that lost a raced punch, a retransmission's second answer) is not a
   * peer, and a forwarder on this socket would open a session to the downloader for it.
   */
  private readonly asked = new Set<string>();
  private closed = false;
  /** STUN datagrams sent from this socket (first sends and retransmissions). */
  packetsSent = 0;

  private constructor(readonly socket: Socket) {
    socket.on("message", (data, from) => this.onMessage(data, from));
    // A send error (ICMP unreachable on some kernels) must not crash the process; transactions time out.
    socket.on("error", () => {});
  }

  /** Bind UDP `localPort` (0: the OS picks) on all IPv4 addresses, without SO_REUSEADDR. */
  static open(localPort: number, address = "0.0.0.0"): Promise<UdpStunPort> {
    const socket = createSocket({ type: "udp4", reuseAddr: false });
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(new UdpBindError(localPort, error.code === "EADDRINUSE", error));
      };
      socket.once("error", onError);
      socket.bind({ address, port: localPort, exclusive: true }, () => {
        socket.off("error", onError);
        resolve(new UdpStunPort(socket));
      });
    });
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** Datagrams waiting in user space to leave this socket (the kernel's send buffer was full). */
  get sendQueueCount(): number {
    return this.closed ? 0 : this.socket.getSendQueueCount();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Receive the datagrams that are not our STUN answers; returns the unsubscribe function. */
  onDatagram(listener: DatagramListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send from the mapping's own socket, so the datagram leaves through the held mapping. */
  send(data: Uint8Array, to: Endpoint): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, to.port, to.address, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * `send` without a promise, for a forwarder's per-datagram path: `done` gets the send's error or
   * null. Sends nothing once the port is closed.
   */
  sendTo(data: Uint8Array, to: Endpoint, done: (error: Error | null) => void): void {
    if (this.closed) return;
    this.socket.send(data, to.port, to.address, done);
  }

  /** One STUN Binding to `server`, retransmitted as `options` say; resolves to the mapped address. */
  ask(server: Endpoint, options: UdpAskOptions): Promise<PublicAddress> {
    if (this.closed) return Promise.reject(new Error("the UDP socket is closed"));
    if (options.signal?.aborted) return Promise.reject(new Error("aborted"));
    const request = createBindingRequest();
    const bytes = encodeMessage(request, { fingerprint: true });
    const key = Buffer.from(request.transactionId).toString("hex");
    const { sends, giveUpAt } = retransmitSchedule({
      rto: options.rtoMs,
      maxSends: options.maxSends,
      timeoutMs: options.timeoutMs,
    });
    const timers: NodeJS.Timeout[] = [];
    return new Promise<PublicAddress>((resolve, reject) => {
      const finish = () => {
        for (const timer of timers) clearTimeout(timer);
        this.waiting.delete(key);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        finish();
        reject(new Error("aborted"));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.set(key, {
        resolve: (address) => {
          finish();
          resolve(address);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      this.asked.add(`${server.address}:${server.port}`);
      const send = () => {
        if (this.closed) return;
        this.packetsSent++;
        this.socket.send(bytes, server.port, server.address, () => {});
      };
      for (const at of sends) {
        if (at === 0) send();
        else timers.push(setTimeout(send, at));
      }
      timers.push(
        setTimeout(
          () =>
            this.waiting
              .get(key)
              ?.reject(
                new Error(
                  `no STUN answer over UDP from ${server.address}:${server.port} after ${sends.length} sends in ${Math.round(giveUpAt)} ms`,
                ),
              ),
          giveUpAt,
        ),
      );
    });
  }

  /** Close the socket; transactions still waiting reject. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const waiter of [...this.waiting.values()]) waiter.reject(new Error("the UDP socket was closed"));
    this.listeners.clear();
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private onMessage(data: Buffer, from: RemoteInfo): void {
    const stun = looksLikeStun(data);
    if (this.waiting.size > 0 && stun) {
      const decoded = decodeMessage(data);
      if (decoded.ok) {
        const waiter = this.waiting.get(Buffer.from(decoded.message.transactionId).toString("hex"));
        if (waiter) {
          const mapped = getMappedAddress(decoded.message);
          if (decoded.message.class === "success" && mapped) {
            waiter.resolve({ ip: mapped.address, port: mapped.port });
          } else {
            waiter.reject(
              new Error(
                `${from.address}:${from.port} answered ${decoded.message.class} without a mapped address`,
              ),
            );
          }
          return;
        }
      }
    }
    if (stun && this.asked.has(`${from.address}:${from.port}`)) return;
    for (const listener of this.listeners) listener(data, from);
  }
}
