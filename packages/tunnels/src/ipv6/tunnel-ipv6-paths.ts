import { isDeepStrictEqual } from "node:util";
import type { AutostunConfig } from "@autostun/config";
import { type Disposable, type Logger, toDisposable } from "@autostun/plugins-api";
import type { TunnelStatus } from "@autostun/relay";
import { type DownloaderIpv6Place, placeDownloader, type TargetPlace } from "./downloader-ipv6-address.js";
import type { HostIpv6Address } from "./host-ipv6.js";
import type {
  FindPinholeGateway,
  PinholeGatewaySearch,
  PinholeKeeperFactory,
  PinholeKeeperLike,
  PinholeStatus,
  PinholeTransport,
} from "./pinhole-keeper-port.js";
import type { TunnelIpv6View, TunnelPinholeView } from "./tunnel-ipv6-view.js";

/** A found router is trusted this long before discovery runs again (as for the port mappings). */
const FOUND_FOR_MS = 10 * 60_000;
/** When no router answered, the next tunnel asks again after this long. */
const NOT_FOUND_FOR_MS = 60_000;
/** A router that never finishes answering must not hold every pinhole, or the daemon's stop, longer. */
const SEARCH_BOUND_MS = 30_000;

/** What the manager follows of one tunnel. */
export interface Ipv6Source {
  tunnel: { readonly status: TunnelStatus; onChange(listener: () => void): Disposable };
  /** The downloader's port now: the target port, moved by the path the last open chose. */
  port(): number;
  target: TargetPlace;
  /** The tunnel carries UDP too (`udp: true`): the pinhole then covers uTP and the DHT. */
  udp: boolean;
}

/** How this host's IPv6 is read; tests hand in their own. */
export interface HostIpv6Reader {
  globals(): Promise<HostIpv6Address[]>;
  /** Every address of this host, any family. */
  localAddresses(): readonly string[];
  /** Where the TCP listeners on `port` are bound; undefined when that cannot be read. */
  bound(port: number): Promise<readonly string[] | undefined>;
}

export interface TunnelIpv6PathsOptions {
  upnp: AutostunConfig["upnp"];
  logger: Logger;
  /** Called when a tunnel's IPv6 view changed, so the daemon can publish `tunnel.updated`. */
  changed: (tunnelId: string) => void;
  host: HostIpv6Reader;
  /** Makes the keeper of one port's pinholes (portmapper's `PinholeKeeper`). */
  keeper: PinholeKeeperFactory;
  /** Finds the router that opens pinholes (portmapper's `findPinholeGateway`). */
  find: FindPinholeGateway;
  /** How often addresses and ports are read again while a tunnel is open; 60 s unless said. */
  refreshSeconds?: number;
}

interface Placed {
  port: number;
  place: DownloaderIpv6Place;
}

interface Followed {
  source: Ipv6Source;
  react: () => void;
  placed?: Placed;
  /** The keeper holding pinholes now, and what it was made for. */
  keeper?: { key: string; keeper: PinholeKeeperLike };
  /** The last keeper, kept after it was stopped so the API can say REMOVED. */
  shown?: PinholeKeeperLike;
  /** Bumped on every look, so a slow read of the host never applies over a newer one. */
  generation: number;
}

const STATE_NAMES = {
  searching: "SEARCHING",
  open: "OPEN",
  "no-gateway": "NO_GATEWAY",
  failed: "FAILED",
  removed: "REMOVED",
} as const;

/**
 * Each tunnel's IPv6 path (the downloader's address and port) and, with `upnp.enabled`, its pinhole on
 * the home router: opened while the tunnel is open, opened again when the port or the address moves,
 * deleted when the tunnel stops, the daemon stops, or a reload turns `upnp` off. One router search per
 * address is shared by every tunnel.
 */
export class TunnelIpv6Paths {
  private readonly followed = new Map<string, Followed>();
  private readonly removals = new Set<Promise<void>>();
  private readonly searches = new Map<string, { at: number; result: Promise<PinholeGatewaySearch> }>();
  private config: AutostunConfig["upnp"];
  private paused = false;
  private stopped = false;
  private stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private reportedNoGateway = false;
  private lastReadFailure: string | undefined;

  constructor(private readonly options: TunnelIpv6PathsOptions) {
    this.config = options.upnp;
  }

  get enabled(): boolean {
    return this.config.enabled !== false;
  }

  /** Follow a tunnel: place its downloader when it opens, keep its pinhole while it stays open. */
  follow(id: string, source: Ipv6Source): Disposable {
    this.stopped = false;
    const entry: Followed = { source, react: () => this.look(id, entry), generation: 0 };
    this.followed.set(id, entry);
    const subscription = source.tunnel.onChange(() => entry.react());
    entry.react();
    this.startTimer();
    return toDisposable(() => {
      subscription.dispose();
      entry.generation++;
      if (this.followed.get(id) === entry) this.followed.delete(id);
      if (entry.keeper) this.release(id, entry);
      if (this.followed.size === 0) this.stopTimer();
    });
  }

  /** The tunnel's IPv6 path; undefined until it has opened once (its port is known only then). */
  status(id: string): TunnelIpv6View | undefined {
    const entry = this.followed.get(id);
    const placed = entry?.placed;
    if (!entry || !placed) return undefined;
    const address = placed.place.onThisHost ? placed.place.address : undefined;
    const view: TunnelIpv6View = { ...(address ? { address } : {}), port: placed.port };
    if (!this.enabled) return view;
    const keeper = entry.keeper?.keeper ?? (address ? entry.shown : undefined);
    if (keeper) return { ...view, pinhole: pinholeView(keeper.status) };
    if (placed.place.why)
      return { ...view, pinhole: { state: "UNSUPPORTED", tcp: false, udp: false, error: placed.place.why } };
    return { ...view, pinhole: { state: "SEARCHING", tcp: false, udp: false } };
  }

  /**
   * Applies a reloaded `upnp` section: off deletes every pinhole; on opens them for the open tunnels;
   * any other change deletes and opens again under the new settings. Resolves once the old ones are gone.
   */
  async reconfigure(next: AutostunConfig["upnp"]): Promise<void> {
    if (isDeepStrictEqual(next, this.config)) return;
    const wasEnabled = this.enabled;
    this.paused = true;
    try {
      this.stopping.abort();
      this.stopping = new AbortController();
      this.searches.clear();
      this.reportedNoGateway = false;
      for (const [id, entry] of this.followed) if (entry.keeper) this.release(id, entry);
      await Promise.all([...this.removals]);
      this.config = next;
    } finally {
      this.paused = false;
    }
    if (!this.enabled) {
      for (const entry of this.followed.values()) entry.shown = undefined;
      if (wasEnabled)
        this.options.logger.info("upnp turned off by a config reload: the IPv6 pinholes are deleted");
    }
    for (const entry of this.followed.values()) entry.react();
  }

  /** Deletes every pinhole (daemon stop, SIGTERM); each request to the router is bounded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer();
    this.stopping.abort();
    this.stopping = new AbortController();
    this.searches.clear();
    for (const [id, entry] of this.followed) {
      entry.generation++;
      if (entry.keeper) this.release(id, entry);
    }
    await Promise.all([...this.removals]);
  }

  private look(id: string, entry: Followed): void {
    if (this.paused || this.stopped) return;
    const generation = ++entry.generation;
    const { state } = entry.source.tunnel.status;
    if (state !== "OPEN" && state !== "RECOVERING") {
      if (entry.keeper && (state === "STOPPED" || state === "FAILED")) {
        this.release(id, entry);
        this.options.changed(id);
      }
      return;
    }
    const port = entry.source.port();
    this.place(entry.source, port)
      .then(
        (place) => {
          if (generation !== entry.generation || this.paused || this.stopped) return;
          this.lastReadFailure = undefined;
          this.apply(id, entry, { port, place });
        },
        (error: unknown) => {
          if (generation !== entry.generation || this.paused || this.stopped) return;
          const why = `cannot read this host's IPv6 addresses: ${error instanceof Error ? error.message : String(error)}`;
          // Said once per distinct failure, not at every look.
          if (why !== this.lastReadFailure) this.options.logger.warn(why, { tunnel: id });
          this.lastReadFailure = why;
          // A pinhole already open stays: one failed read says nothing about the address having moved.
          if (!entry.keeper) this.apply(id, entry, { port, place: { onThisHost: true, why } });
        },
      )
      // A keeper that refuses its options must cost this tunnel its pinhole, never the daemon its life.
      .catch((error: unknown) =>
        this.options.logger.error("the IPv6 pinhole could not be set up", {
          tunnel: id,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }

  private async place(source: Ipv6Source, port: number): Promise<DownloaderIpv6Place> {
    const { host } = this.options;
    const globals = await host.globals();
    const bound = globals.length > 0 ? await host.bound(port).catch(() => undefined) : undefined;
    return placeDownloader(source.target, {
      globals,
      localAddresses: host.localAddresses(),
      ...(bound ? { bound } : {}),
    });
  }

  private apply(id: string, entry: Followed, placed: Placed): void {
    const changed = !isDeepStrictEqual(placed, entry.placed);
    entry.placed = placed;
    const address = placed.place.onThisHost ? placed.place.address : undefined;
    if (this.enabled && address) {
      const transports: PinholeTransport[] = entry.source.udp ? ["TCP", "UDP"] : ["TCP"];
      const key = `[${address}]:${placed.port} ${transports.join("+")}`;
      if (entry.keeper?.key !== key) {
        if (entry.keeper) this.release(id, entry);
        this.open(id, entry, key, { address, port: placed.port, transports });
        return;
      }
    } else if (entry.keeper) {
      this.release(id, entry);
      this.options.changed(id);
      return;
    }
    if (changed) this.options.changed(id);
  }

  private open(
    id: string,
    entry: Followed,
    key: string,
    what: { address: string; port: number; transports: PinholeTransport[] },
  ): void {
    const keeper = this.options.keeper({
      ...what,
      leaseSeconds: this.config.leaseSeconds,
      description: `AutoSTUN ${id} IPv6`,
      find: () => this.findShared(what.address),
      onChange: (status) => {
        this.log(id, status);
        this.options.changed(id);
      },
    });
    entry.keeper = { key, keeper };
    entry.shown = keeper;
    keeper.start();
    this.options.changed(id);
  }

  private release(id: string, entry: Followed): void {
    const held = entry.keeper;
    if (!held) return;
    entry.keeper = undefined;
    const removal = held.keeper
      .stop()
      .catch((error: unknown) =>
        this.options.logger.warn(`could not delete the IPv6 pinhole of tunnel ${id}`, {
          tunnel: id,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  private findShared(address: string): Promise<PinholeGatewaySearch> {
    const now = Date.now();
    const cached = this.searches.get(address);
    if (cached)
      return cached.result.then((r) =>
        now - cached.at < (r.gateway ? FOUND_FOR_MS : NOT_FOUND_FOR_MS) ? r : this.newSearch(address),
      );
    return this.newSearch(address);
  }

  private newSearch(address: string): Promise<PinholeGatewaySearch> {
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(SEARCH_BOUND_MS)]);
    const result = this.options.find({ address, signal });
    this.searches.set(address, { at: Date.now(), result });
    return result;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(
      () => {
        for (const entry of this.followed.values()) entry.react();
      },
      (this.options.refreshSeconds ?? 60) * 1000,
    );
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private log(id: string, status: PinholeStatus): void {
    const { logger } = this.options;
    const fields = { tunnel: id, gateway: status.gateway, protocol: status.protocol };
    const where = `[${status.address}]:${status.port}`;
    if (status.state === "open" && !status.error)
      logger.info(`home router lets IPv6 peers in to ${where}`, {
        ...fields,
        tcp: status.tcp,
        udp: status.udp,
        leaseEndsAt: status.leaseEndsAt?.toISOString(),
      });
    else if (status.state === "no-gateway") {
      if (this.reportedNoGateway) return;
      this.reportedNoGateway = true;
      const say = this.config.enabled === "auto" ? logger.info : logger.warn;
      say.call(
        logger,
        `no router offers IPv6 pinholes on this host's network: ${status.error ?? ""}`,
        fields,
      );
    } else if (status.state === "failed" || status.error)
      logger.warn(`IPv6 pinhole for tunnel ${id} to ${where}: ${status.error}`, fields);
    else if (status.state === "removed") logger.info(`IPv6 pinhole to ${where} deleted`, fields);
  }
}

function pinholeView(status: PinholeStatus): TunnelPinholeView {
  return {
    state: STATE_NAMES[status.state],
    ...(status.protocol ? { protocol: status.protocol } : {}),
    ...(status.gateway ? { gateway: status.gateway } : {}),
    tcp: status.tcp,
    udp: status.udp,
    ...(status.leaseEndsAt ? { leaseEndsAt: status.leaseEndsAt } : {}),
    ...(status.error ? { error: status.error } : {}),
  };
}
