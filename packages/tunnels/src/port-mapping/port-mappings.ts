import { isDeepStrictEqual } from "node:util";
import type { AutostunConfig } from "@autostun/config";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import {
  type FindGatewayOptions,
  findGateway,
  type GatewaySearch,
  PortMapper,
  type PortMappingStatus,
} from "@autostun/portmapper";
import type { Tunnel } from "@autostun/relay";

/** A found router is trusted this long before discovery runs again. */
const FOUND_FOR_MS = 10 * 60_000;
/** When no router answered, the next tunnel that opens asks again after this long. */
const NOT_FOUND_FOR_MS = 60_000;
/**
 * A search asks SSDP (3 s), PCP and NAT-PMP (3.75 s each); a router that accepts the description request
 * and never finishes answering must not hold every tunnel's mapping, and the daemon's stop, for longer.
 */
const SEARCH_BOUND_MS = 30_000;

/** A tunnel's mapping on the home router as the API shows it. */
export type UpnpView = PortMappingStatus;

/** A mapping the router holds for a tunnel now. */
export interface HeldMapping {
  tunnelId: string;
  /** The tunnel's local port P (external P -> this host's P). */
  port: number;
  status: PortMappingStatus;
}

/**
 * The tunnels' mappings on the home router in front of this host (config `upnp`): when a tunnel opens,
 * its port P is mapped (external P -> this host's P) over UPnP IGD or NAT-PMP, renewed while it stays
 * open and removed when it stops or the daemon does. One router search is shared by every tunnel.
 * A reloaded `upnp` section applies at once ({@link reconfigure}).
 */
export class UpnpMappings {
  private readonly mappers = new Map<string, PortMapper>();
  /** Per tunnel, the latest mapper, kept after removal so the API can say REMOVED. */
  private readonly shown = new Map<string, PortMapper>();
  private readonly removals = new Set<Promise<void>>();
  /** Per followed tunnel: looks at its state again and maps or releases accordingly. */
  private readonly followed = new Map<string, () => void>();
  /** While a reload swaps the settings, tunnels' changes wait: the old mapping must be gone first. */
  private paused = false;
  private search: { at: number; result: Promise<GatewaySearch> } | undefined;
  private reportedNoGateway = false;
  /** Ends a search still under way when the daemon stops. */
  private stopping = new AbortController();

  constructor(
    private config: AutostunConfig["upnp"],
    private readonly logger: Logger,
    /** Called when a tunnel's mapping changed, so the daemon can publish `tunnel.updated`. */
    private readonly changed: (tunnelId: string) => void,
    /** How the router is found; tests hand in their own. */
    private readonly find: (options: FindGatewayOptions) => Promise<GatewaySearch> = findGateway,
  ) {}

  get enabled(): boolean {
    return this.config.enabled !== false;
  }

  /** Follow a tunnel's state: map its port when it opens, remove the mapping when it stops. */
  follow(id: string, tunnel: Tunnel): Disposable {
    // Followed while off too, so turning upnp on by a reload can map the tunnels already open.
    const react = () => {
      if (!this.enabled || this.paused) return;
      const { state, localPort } = tunnel.status;
      const current = this.mappers.get(id);
      const live = state === "OPEN" || state === "RECOVERING";
      if (live && localPort !== undefined) {
        if (current?.port === localPort) return;
        if (current) this.release(id, current);
        this.map(id, localPort);
      } else if (current && (state === "STOPPED" || state === "FAILED")) this.release(id, current);
    };
    const subscription = tunnel.onChange(react);
    this.followed.set(id, react);
    react();
    return toDisposable(() => {
      subscription.dispose();
      if (this.followed.get(id) === react) this.followed.delete(id);
      const current = this.mappers.get(id);
      if (current) this.release(id, current);
      this.shown.delete(id);
    });
  }

  /** The tunnel's mapping, or undefined when UPnP is off or the tunnel never opened. */
  status(id: string): UpnpView | undefined {
    const status = this.shown.get(id)?.status;
    if (!status) return undefined;
    // "auto" means: use a router if there is one; its absence is not an error then. A search this host
    // could not send is: it says nothing about a router, and the user can fix it.
    if (status.state === "no-gateway" && this.config.enabled === "auto" && !status.searchFailed)
      return { state: status.state };
    return status;
  }

  /**
   * The tunnels' mappings the router holds now, their last request answered: proof enough for the
   * `upnp.gateway` check that the router maps to this host, without a test mapping of its own.
   */
  held(): HeldMapping[] {
    if (!this.enabled) return [];
    return [...this.mappers].flatMap(([tunnelId, mapper]) => {
      const status = mapper.status;
      return status.state === "mapped" && !status.error ? [{ tunnelId, port: mapper.port, status }] : [];
    });
  }

  /**
   * The router search the tunnels share, made now when none is fresh: a check asking for the router uses
   * it too rather than sending a search of its own, and tunnels that open next use the check's.
   */
  searchGateway(): Promise<GatewaySearch> {
    return this.findShared();
  }

  /**
   * Applies a reloaded `upnp` section: turned off, every mapping is removed; turned on, the open tunnels'
   * ports are mapped; any other change (lease, description URL, true/"auto") removes and maps again under
   * the new settings, with a new router search. Resolves once that is under way (the old mappings gone).
   */
  async reconfigure(next: AutostunConfig["upnp"]): Promise<void> {
    if (isDeepStrictEqual(next, this.config)) return;
    const wasEnabled = this.enabled;
    this.paused = true;
    try {
      // A search under way was made for the old settings (perhaps another description URL): end it.
      this.stopping.abort();
      this.stopping = new AbortController();
      this.search = undefined;
      this.reportedNoGateway = false;
      for (const [id, mapper] of this.mappers) this.release(id, mapper);
      // The router must have dropped the old mapping of P before it is asked to map P again.
      await Promise.all([...this.removals]);
      this.config = next;
    } finally {
      this.paused = false;
    }
    if (!this.enabled) {
      // Off: the API shows no mapping, as for a daemon started with upnp off.
      this.shown.clear();
      if (wasEnabled)
        this.logger.info("upnp turned off by a config reload: the home router mappings are removed");
      return;
    }
    this.logger.info(
      wasEnabled
        ? "upnp settings changed by a config reload: mapping the open tunnels again"
        : "upnp turned on by a config reload: mapping the open tunnels' ports",
    );
    for (const react of this.followed.values()) react();
  }

  /** Waits until every mapping has been removed (daemon stop); each request to the router is bounded. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.stopping = new AbortController();
    this.search = undefined;
    for (const [id, mapper] of this.mappers) this.release(id, mapper);
    await Promise.all([...this.removals]);
  }

  private map(id: string, port: number): void {
    const mapper = new PortMapper({
      port,
      leaseSeconds: this.config.leaseSeconds,
      description: `AutoSTUN ${id}`,
      find: () => this.findShared(),
      onChange: (status) => {
        this.log(id, status);
        this.changed(id);
      },
    });
    this.mappers.set(id, mapper);
    this.shown.set(id, mapper);
    void mapper.start();
  }

  private release(id: string, mapper: PortMapper): void {
    if (this.mappers.get(id) === mapper) this.mappers.delete(id);
    const removal = mapper.stop().finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  private findShared(): Promise<GatewaySearch> {
    const now = Date.now();
    const cached = this.search;
    if (cached) {
      const fresh = cached.result.then(
        (r) => now - cached.at < (r.gateway ? FOUND_FOR_MS : NOT_FOUND_FOR_MS),
      );
      return fresh.then((ok) => (ok ? cached.result : this.newSearch()));
    }
    return this.newSearch();
  }

  private newSearch(): Promise<GatewaySearch> {
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(SEARCH_BOUND_MS)]);
    const result = this.find({ descriptionUrl: this.config.descriptionUrl, signal });
    this.search = { at: Date.now(), result };
    return result;
  }

  private log(id: string, status: PortMappingStatus): void {
    const fields = { tunnel: id, gateway: status.gateway, protocol: status.protocol };
    if (status.state === "mapped" && !status.error)
      this.logger.info(`home router maps ${status.externalIp}:${status.externalPort} to this host`, {
        ...fields,
        leaseEndsAt: status.leaseEndsAt?.toISOString(),
      });
    else if (status.state === "no-gateway") {
      // Said once per search outcome, not once per tunnel.
      if (this.reportedNoGateway) return;
      this.reportedNoGateway = true;
      if (status.searchFailed)
        this.logger.warn(`the search for a home router could not be made: ${status.error}`, fields);
      else {
        const say = this.config.enabled === "auto" ? this.logger.info : this.logger.warn;
        say.call(
          this.logger,
          `no UPnP or NAT-PMP router answered on this host's network: ${status.error}`,
          fields,
        );
      }
    } else if (status.state === "failed" || status.error)
      this.logger.warn(`home router mapping for tunnel ${id}: ${status.error}`, fields);
    else if (status.state === "removed") this.logger.info("home router mapping removed", fields);
  }
}
