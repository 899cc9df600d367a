import { connect, type Socket } from "node:net";
import { closeAbortively } from "../punch/abortive-close.js";
import type { ResolvedEndpoint } from "../punch/endpoint.js";

export interface KeepAliveOptions {
  /** Time between two HEAD requests. */
  intervalMs: number;
  /** A request without an answer after this long means the path (or the mapping) is gone. */
  answerTimeoutMs: number;
  connectTimeoutMs: number;
  /**
   * Silence after which the kernel probes the connection (TCP keep-alive), in ms, rounded up to
   * whole seconds; unset for no probes. A probe that meets a reset ends the connection like any reset.
   */
  probeAfterMs?: number;
}

/** Headers longer than this without an end are not an HTTP server talking. */
const MAX_PENDING_BYTES = 64 * 1024;

/**
 * One HTTP connection from the tunnel's port to the keep-alive target, sending `HEAD /` with
 * `Connection: keep-alive` every interval. The traffic keeps the router's mapping fresh; the answers
 * prove the mapping still carries us. Between requests the kernel's TCP keep-alive probes the same
 * connection every second or so (`probeAfterMs`): a probe costs no HTTP request, and the reset it
 * draws once the mapping is gone is noticed within seconds. Any reset, error, close or missing
 * answer is reported once through `onLost` — the tunnel's cue to re-punch.
 */
export class KeepAlive {
  private lastAnswer: Date | undefined;
  private waitingSince: number | undefined;
  private outstanding = 0;
  private pending = "";
  private ticker: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private lostReason: string | undefined;
  private onLost: (reason: string) => void = () => {};
  private firstAnswer: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly target: ResolvedEndpoint,
    private readonly options: KeepAliveOptions,
  ) {}

  /**
   * Connect from `localPort` and wait for the first answer, so a tunnel only opens on a target that
   * really answers. Rejects with the reason (the error keeps the errno as its cause).
   */
  static open(
    target: ResolvedEndpoint,
    localPort: number,
    options: KeepAliveOptions,
    onLost: (reason: string) => void,
  ): Promise<KeepAlive> {
    const socket = connect({
      host: target.address,
      port: target.port,
      // An explicit bind is what makes libuv set SO_REUSEADDR, so the port stays shareable.
      localAddress: target.address.includes(":") ? "::" : "0.0.0.0",
      localPort,
    });
    const keep = new KeepAlive(socket, target, options);
    return new Promise<KeepAlive>((resolve, reject) => {
      const timer = setTimeout(() => {
        keep.close();
        reject(
          new Error(
            `keep-alive target ${keep.name} did not connect and answer within ${options.connectTimeoutMs} ms; check keepalive.target`,
          ),
        );
      }, options.connectTimeoutMs);
      keep.firstAnswer = {
        resolve: () => {
          clearTimeout(timer);
          keep.onLost = onLost;
          resolve(keep);
        },
        reject: (error) => {
          clearTimeout(timer);
          keep.close();
          reject(error);
        },
      };
      socket.once("connect", () => {
        socket.setNoDelay(true);
        if (options.probeAfterMs !== undefined) {
          socket.setKeepAlive(true, Math.max(1, Math.ceil(options.probeAfterMs / 1000)) * 1000);
        }
        keep.send();
        keep.ticker = setInterval(() => keep.send(), options.intervalMs);
      });
      socket.on("data", (chunk) => keep.onData(chunk));
      socket.on("error", (error) =>
        keep.lose(
          `keep-alive connection to ${keep.name} from port ${localPort} failed: ${error.message}`,
          error,
        ),
      );
      socket.on("close", () => keep.lose(`keep-alive target ${keep.name} closed the connection`));
    });
  }

  /** When the target last answered. */
  get lastAnswerAt(): Date | undefined {
    return this.lastAnswer;
  }

  /** The address the kernel bound the connection to (it is opened from the wildcard address). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  private get name(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  /** Stop without a report; a reset leaves no TIME_WAIT on the port (see closeAbortively). */
  close(): void {
    this.lostReason ??= "closed";
    this.stopTimers();
    closeAbortively(this.socket);
  }

  private send(): void {
    if (this.lostReason) return;
    const host = this.target.host.includes(":") ? `[${this.target.host}]` : this.target.host;
    this.socket.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
    this.outstanding++;
    if (this.waitingSince === undefined) this.armAnswerTimer();
  }

  private armAnswerTimer(): void {
    this.waitingSince = Date.now();
    clearTimeout(this.answerTimer);
    this.answerTimer = setTimeout(
      () =>
        this.lose(
          `keep-alive target ${this.name} did not answer within ${this.options.answerTimeoutMs} ms (the mapping or the path is gone)`,
        ),
      this.options.answerTimeoutMs,
    );
  }

  private onData(chunk: Buffer): void {
    this.pending += chunk.toString("latin1");
    for (let end = this.pending.indexOf("\r\n\r\n"); end >= 0; end = this.pending.indexOf("\r\n\r\n")) {
      const head = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 4);
      // Only status blocks count; stray body bytes from a server that ignores HEAD are skipped.
      if (/HTTP\/\d(\.\d)? \d{3}/.test(head)) this.onAnswer();
    }
    if (this.pending.length > MAX_PENDING_BYTES) {
      this.lose(`keep-alive target ${this.name} does not speak HTTP; use an HTTP server as keepalive.target`);
    }
  }

  private onAnswer(): void {
    this.lastAnswer = new Date();
    this.outstanding = Math.max(0, this.outstanding - 1);
    clearTimeout(this.answerTimer);
    this.waitingSince = undefined;
    if (this.outstanding > 0) this.armAnswerTimer();
    const first = this.firstAnswer;
    this.firstAnswer = undefined;
    first?.resolve();
  }

  private lose(reason: string, cause?: Error): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.stopTimers();
    closeAbortively(this.socket);
    const first = this.firstAnswer;
    this.firstAnswer = undefined;
    if (first) first.reject(new Error(reason, cause ? { cause } : undefined));
    else this.onLost(reason);
  }

  private stopTimers(): void {
    clearInterval(this.ticker);
    clearTimeout(this.answerTimer);
  }
}
