import { errorText } from "./errors.js";
import type { GatewaySearch } from "./find-gateway.js";
import type { MappingGateway } from "./gateway.js";

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where a tunnel's mapping on the home router stands. */
export interface PortMappingStatus {
  /**
   * `searching` (looking for the router), `mapped`, `no-gateway` (none answered), `failed` (a router
   * answered but would not map; `error` says why), `removed` (after stop).
   */
  state: "searching" | "mapped" | "no-gateway" | "failed" | "removed";
  protocol?: "upnp" | "pcp" | "nat-pmp";
  /** The router: its description URL (UPnP) or address (PCP, NAT-PMP). */
  gateway?: string;
  /** The router's WAN address as it reports it. */
  externalIp?: string;
  externalPort?: number;
  /** This host's address as the router sees it: where the mapping points. */
  internalClient?: string;
  /** When the granted lease runs out (renewed at half-time); undefined for a lease without an end. */
  leaseEndsAt?: Date;
  error?: string;
  /** With `no-gateway`: the search could not even be sent (a socket error), so a router may be there. */
  searchFailed?: boolean;
}

export interface PortMapperOptions {
  /** The local port P: mapped from the router's external port P. */
  port: number;
  /** Lease asked for; renewed at half of what the router grants. */
  leaseSeconds: number;
  /** Shown in the router's mapping list. */
  description: string;
  /** How to find the router (normally `findGateway`). */
  find: () => Promise<GatewaySearch>;
  onChange?: (status: PortMappingStatus) => void;
  /** A renewal that failed is tried again after this long (default 30 s, at most half the lease). */
  retrySeconds?: number;
  /** Bound on each request to the router, so stop() finishes in time (default 3 000 ms). */
  requestTimeoutMs?: number;
}

/**
 * Keeps one TCP port mapped on the home router in front of this host: finds the router, maps
 * external P -> this host's P, renews at half the granted lease, and removes the mapping on stop.
 */
export class PortMapper {
  private current: PortMappingStatus = { state: "searching" };
  private gateway: MappingGateway | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PortMapperOptions) {}

  get status(): PortMappingStatus {
    return { ...this.current };
  }

  get port(): number {
    return this.options.port;
  }

  /** Find the router and map the port; resolves with the status (never throws). */
  start(): Promise<PortMappingStatus> {
    return this.serial(async () => {
      const search = await this.options
        .find()
        .catch((error): GatewaySearch => ({ gateway: undefined, tried: [errorText(error)] }));
      if (this.stopped) return;
      this.gateway = search.gateway;
      if (!this.gateway) {
        this.set({
          state: "no-gateway",
          error: search.tried.join("; ") || undefined,
          ...(search.searchError ? { searchFailed: true } : {}),
        });
        return;
      }
      await this.map();
    }).then(() => this.status);
  }

  /** Remove the mapping (if one was made) and stop renewing. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.serial(async () => {
      const gateway = this.gateway;
      const mapped = this.current.state === "mapped" || this.current.externalPort !== undefined;
      if (gateway && mapped) {
        try {
          await gateway.unmapTcp(this.options.port, this.signal());
        } catch (error) {
          this.set({
            ...this.current,
            state: "removed",
            leaseEndsAt: undefined,
            error: `removing the mapping: ${errorText(error)}`,
          });
          return;
        }
      }
      this.set({ ...this.current, state: "removed", leaseEndsAt: undefined, error: undefined });
    });
  }

  private async map(): Promise<void> {
    const gateway = this.gateway;
    if (!gateway || this.stopped) return;
    const base = {
      protocol: gateway.protocol,
      gateway: gateway.location,
      internalClient: gateway.internalClient,
    };
    try {
      const externalIp = await gateway.externalIp(this.signal()).catch(() => this.current.externalIp);
      const granted = await gateway.mapTcp(
        this.options.port,
        this.options.leaseSeconds,
        this.options.description,
        this.signal(),
      );
      if (this.stopped) return;
      const leaseEndsAt =
        granted.leaseSeconds > 0 ? new Date(Date.now() + granted.leaseSeconds * 1000) : undefined;
      this.set({ ...base, state: "mapped", externalIp, externalPort: granted.externalPort, leaseEndsAt });
      if (granted.leaseSeconds > 0) this.schedule(Math.max(1, granted.leaseSeconds / 2));
    } catch (error) {
      if (this.stopped) return;
      // A mapping that still has lease left stays "mapped" with the error beside it until the lease runs out.
      const stillValid =
        this.current.leaseEndsAt !== undefined && this.current.leaseEndsAt.getTime() > Date.now();
      this.set({
        ...this.current,
        ...base,
        state: stillValid ? "mapped" : "failed",
        error: errorText(error),
      });
      const retry = this.options.retrySeconds ?? 30;
      const left = stillValid ? ((this.current.leaseEndsAt?.getTime() ?? 0) - Date.now()) / 1000 : Infinity;
      this.schedule(Math.max(1, Math.min(retry, left / 2)));
    }
  }

  private schedule(seconds: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    // setTimeout fires at once past 2^31-1 ms (~24.8 days); a router may grant a lease of up to 2^32-1 s.
    const delayMs = Math.min(seconds * 1000, MAX_TIMER_MS);
    this.timer = setTimeout(() => void this.serial(() => this.map()), delayMs);
    this.timer.unref();
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.options.requestTimeoutMs ?? 3_000);
  }

  private set(status: PortMappingStatus): void {
    this.current = status;
    this.options.onChange?.(this.status);
  }

  /** One request to the router at a time: a renewal never races the removal. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.work.then(fn, fn);
    this.work = next.catch(() => undefined);
    return next;
  }
}
