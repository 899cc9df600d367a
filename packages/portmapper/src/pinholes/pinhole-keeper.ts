import { errorText } from "../errors.js";
import { PINHOLE_REQUEST_TIMEOUT_MS, type PinholeGatewaySearch } from "./find-pinhole-gateway.js";
import type { GrantedPinhole, PinholeGateway, PinholeStatus, PinholeTransport } from "./pinhole-types.js";

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Default wait before a failed request (or a search that found no router) is tried again. */
export const PINHOLE_RETRY_SECONDS = 30;

export interface PinholeKeeperOptions {
  /** This host's global IPv6 address the pinholes let peers in to. */
  address: string;
  port: number;
  /** Which pinholes to keep open (a BitTorrent client wants both). */
  transports: PinholeTransport[];
  /** Lease asked for; renewed at half of what the router grants. */
  leaseSeconds: number;
  /** Shown in logs and status lines (IGD v2 routers keep their own label). */
  description: string;
  /** How to find the router (normally `findPinholeGateway`). */
  find: () => Promise<PinholeGatewaySearch>;
  onChange?: (status: PinholeStatus) => void;
  /** A failed request is tried again after this long (default 30 s, at most half the lease left). */
  retrySeconds?: number;
  /** Bound on each request to the router, so stop() finishes in time (default 3 000 ms). */
  requestTimeoutMs?: number;
}

/**
 * A signal that aborts after `ms`, on the ordinary timer queue (AbortSignal.timeout keeps its own clock,
 * which tests with fake timers cannot move). Unref'd: a pending bound never holds the process open.
 */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms).unref();
  return controller.signal;
}

interface Held {
  pinhole: GrantedPinhole;
  /** Epoch ms when the lease runs out. */
  endsAt: number;
}

/**
 * Keeps IPv6 pinholes for one address and port open on the home router: finds the router, opens one
 * pinhole per transport, renews each at half its granted lease, tries failures again, and deletes them
 * on stop (each request bounded, so a daemon's SIGTERM stop is quick).
 */
export class PinholeKeeper {
  private current: PinholeStatus;
  private gateway: PinholeGateway | undefined;
  private readonly held = new Map<PinholeTransport, Held>();
  private readonly errors = new Map<PinholeTransport, string>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  /** Ends whatever request is in flight when stop() begins. */
  private readonly stopping = new AbortController();
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PinholeKeeperOptions) {
    if (options.transports.length === 0)
      throw new TypeError("PinholeKeeper: transports must name TCP, UDP or both");
    this.current = {
      state: "searching",
      address: options.address,
      port: options.port,
      tcp: false,
      udp: false,
    };
  }

  get status(): PinholeStatus {
    return { ...this.current };
  }

  /** Find the router and open the pinholes; what happens is reported through `onChange`. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.set({ ...this.current, state: "searching" });
    void this.serial(() => this.search());
  }

  /** Delete the pinholes (those opened) and stop renewing. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    return this.serial(async () => {
      const gateway = this.gateway;
      const failures: string[] = [];
      if (gateway)
        await Promise.all(
          [...this.held].map(async ([transport, { pinhole }]) => {
            try {
              await gateway.close(pinhole, timeoutSignal(this.requestTimeoutMs()));
            } catch (error) {
              failures.push(`${transport}: ${errorText(error)}`);
            }
          }),
        );
      this.held.clear();
      this.errors.clear();
      this.set({
        ...this.current,
        state: "removed",
        tcp: false,
        udp: false,
        leaseEndsAt: undefined,
        error: failures.length > 0 ? `deleting the pinholes: ${failures.join("; ")}` : undefined,
      });
    });
  }

  private async search(): Promise<void> {
    if (this.stopped) return;
    const search = await this.options
      .find()
      .catch((error): PinholeGatewaySearch => ({ tried: [errorText(error)] }));
    if (this.stopped) return;
    this.gateway = search.gateway;
    if (!this.gateway) {
      this.set({
        ...this.base(),
        state: "no-gateway",
        error: search.tried.join("; ") || undefined,
      });
      this.schedule(this.retrySeconds(), () => this.search());
      return;
    }
    await this.keep();
  }

  /** Open what is not held, renew what is; then report and plan the next round. */
  private async keep(): Promise<void> {
    const gateway = this.gateway;
    if (!gateway || this.stopped) return;
    await Promise.all(this.options.transports.map((transport) => this.keepOne(gateway, transport)));
    if (this.stopped) return;
    this.report();
    this.schedule(this.nextRoundSeconds(), () => this.keep());
  }

  private async keepOne(gateway: PinholeGateway, transport: PinholeTransport): Promise<void> {
    const held = this.valid(transport);
    const { leaseSeconds } = this.options;
    try {
      const pinhole = held
        ? await gateway.renew(held.pinhole, leaseSeconds, this.signal())
        : await gateway.open(
            { address: this.options.address, port: this.options.port, transport, leaseSeconds },
            this.signal(),
          );
      // Kept even when stop() began meanwhile: stop() then deletes it with the rest instead of leaving it.
      this.held.set(transport, { pinhole, endsAt: Date.now() + pinhole.leaseSeconds * 1000 });
      this.errors.delete(transport);
    } catch (error) {
      if (!held) this.held.delete(transport);
      this.errors.set(transport, `${transport}: ${errorText(error)}`);
    }
  }

  /** The pinhole of `transport` while its lease still runs. */
  private valid(transport: PinholeTransport): Held | undefined {
    const held = this.held.get(transport);
    if (held && held.endsAt > Date.now()) return held;
    if (held) this.held.delete(transport);
    return undefined;
  }

  /** Renew at half the shortest lease; after a failure, sooner (the retry wait, or half the lease left). */
  private nextRoundSeconds(): number {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const transport of this.options.transports) {
      const held = this.valid(transport);
      const failed = this.errors.has(transport);
      if (held) {
        const half = held.pinhole.leaseSeconds / 2;
        const left = (held.endsAt - now) / 1000;
        next = Math.min(next, failed ? Math.min(this.retrySeconds(), left / 2) : Math.min(half, left));
      } else next = Math.min(next, this.retrySeconds());
    }
    return Math.max(1, next);
  }

  private report(): void {
    const gateway = this.gateway;
    if (!gateway) return;
    const open = this.options.transports.filter((t) => this.valid(t));
    const ends = open.map((t) => this.held.get(t)?.endsAt ?? 0);
    const all = open.length === this.options.transports.length;
    const error = [...this.errors.values()].join("; ") || undefined;
    this.set({
      ...this.base(),
      state: all ? "open" : "failed",
      protocol: gateway.protocol,
      gateway: gateway.location,
      tcp: open.includes("TCP"),
      udp: open.includes("UDP"),
      leaseEndsAt: ends.length > 0 ? new Date(Math.min(...ends)) : undefined,
      error,
    });
  }

  private base(): PinholeStatus {
    return {
      state: this.current.state,
      address: this.options.address,
      port: this.options.port,
      tcp: false,
      udp: false,
    };
  }

  private retrySeconds(): number {
    return this.options.retrySeconds ?? PINHOLE_RETRY_SECONDS;
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? PINHOLE_REQUEST_TIMEOUT_MS;
  }

  private signal(): AbortSignal {
    return AbortSignal.any([timeoutSignal(this.requestTimeoutMs()), this.stopping.signal]);
  }

  private schedule(seconds: number, round: () => Promise<void>): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    // setTimeout fires at once past 2^31-1 ms (~24.8 days); a router may grant a far longer lease.
    this.timer = setTimeout(() => void this.serial(round), Math.min(seconds * 1000, MAX_TIMER_MS));
    this.timer.unref();
  }

  private set(status: PinholeStatus): void {
    this.current = status;
    this.options.onChange?.(this.status);
  }

  /** One round with the router at a time: a renewal never races the deletion. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.work.then(fn, fn);
    this.work = next.catch(() => undefined);
    return next;
  }
}
