import type { Logger } from "@autostun/plugins-api";
import {
  type EqualPortTried,
  findEqualPortPair,
  findEqualPortUdp,
  type PublicAddress,
  punchUdp,
  type Tunnel,
  type TunnelInbound,
  type TunnelState,
  UdpMapping,
  type UdpMappingTiming,
  UdpStunPort,
} from "@autostun/relay";
import type { TunnelUdpMatch, TunnelUdpSearch, TunnelUdpView } from "./tunnel-udp-view.js";
import { placeUdp, type UdpPlacement } from "./udp-placement.js";

/** What the owner does with a mapping on the TCP public port: forward its peers (or stop doing so). */
export interface UdpForwarding {
  /**
   * Before the punch of a `host-snat` placement: make the socket on `from` leave as `arrive` (the
   * public port) and hand peers' new flows to `arrive` over. Throws when nftables refuses.
   */
  prepareSnat(arrive: number, from: number): Promise<void>;
  /** Forward peers arriving on the held mapping; undefined detaches (no mapping on the TCP port). */
  attach(held: HeldUdp | undefined): Promise<void>;
}

/** A UDP mapping whose public address equals the TCP tunnel's. */
export interface HeldUdp {
  /** The socket holding the mapping: user-space forwarding answers peers from it. */
  port: UdpStunPort;
  /** Where peers' datagrams arrive on this host: the socket's port, or the public port under host SNAT. */
  arrivePort: number;
  /** The socket's port when the kernel rewrites it to `arrivePort`. */
  snatFrom?: number;
}

export interface TunnelUdpSideOptions {
  id: string;
  /** The configured TCP local port: 0 lets a pair search move TCP to another local port. */
  configuredLocalPort: number;
  stunUdp: readonly string[];
  stunTcp: readonly string[];
  keepaliveSeconds?: number;
  targetOnThisHost: boolean;
  /** The port forwarded peers go to now (it follows the downloader's). */
  targetPort: () => number;
  tunnel: Tunnel;
  /** The path the TCP side took at its last open. */
  inbound: () => TunnelInbound["kind"];
  forwarding: UdpForwarding;
  logger: Logger;
  /** The view changed (state, address, reason): publish it. */
  onChange: () => void;
  timing?: Partial<UdpMappingTiming>;
  /** How long to wait before searching again after nothing was found (tests shorten it). */
  retryAfterMs?: number;
}

/** Relocations of TCP in a row that did not end on equal ports before the side waits for its retry. */
const MAX_PAIR_MOVES = 2;
/** After a search found nothing: the gateway is asked again this much later (or at the next TCP move). */
const RETRY_AFTER_MS = 10 * 60_000;

type Settled = "done" | "relocating";

function same(a: PublicAddress | undefined, b: PublicAddress | undefined): boolean {
  return !!a && !!b && a.ip === b.ip && a.port === b.port;
}

function searchOf(tried: EqualPortTried | undefined, found: boolean, code?: string): TunnelUdpSearch {
  return {
    outcome: found ? "FOUND" : "NOT_FOUND",
    ...(code ? { code } : {}),
    sockets: tried?.sockets ?? 0,
    packets: tried?.packets ?? 0,
    elapsedMs: tried?.elapsedMs ?? 0,
    at: new Date(),
  };
}

/**
 * The UDP side of one tunnel: keeps a UDP mapping whose public address equals the TCP one, so the
 * one port the downloader announces takes uTP and DHT too. It follows the TCP side: at each TCP open
 * (`align`, awaited before the port is pushed) and at each change of its own mapping it checks the
 * two public addresses, and when they differ it places a new mapping (see `placeUdp`): direct tries
 * and a search, then a pair search that moves TCP as well. When nothing is found the view says why
 * and what was tried; TCP keeps working, and the side tries again later.
 *
 * All placement work runs one at a time on `queue`, so TCP and UDP events arriving together cannot
 * start two searches.
 */
export class TunnelUdpSide {
  private mapping: UdpMapping | undefined;
  private unsubscribe: (() => void) | undefined;
  private match: TunnelUdpMatch | undefined;
  private search: TunnelUdpSearch | undefined;
  /** A state the side itself is in while it has no mapping to show (searching, not found, checked). */
  private own: { state: TunnelState; reason: string; publicAddress?: PublicAddress } | undefined;
  private attached: HeldUdp | undefined;
  /** Whether the held socket's packets are rewritten to the public port by this host's nftables. */
  private snat = false;
  /** Placements made for the TCP public address `placedFor`; a third is not tried before the retry. */
  private placements = 0;
  private pairMoves = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private queue: Promise<Settled> = Promise.resolve("done");
  private stopped = true;
  /** The TCP public address the last placement was for. */
  private placedFor: PublicAddress | undefined;

  constructor(private readonly options: TunnelUdpSideOptions) {}

  start(): void {
    this.stopped = false;
    this.own = { state: "OPENING", reason: "waiting for the TCP side to open" };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.queue.catch(() => undefined);
    await this.dropMapping();
    this.own = undefined;
    this.placedFor = undefined;
    this.pairMoves = 0;
    this.placements = 0;
  }

  view(): TunnelUdpView {
    const tcp = this.options.tunnel.status.publicAddress;
    const status = this.mapping?.status;
    const samePort = !!status && status.state === "OPEN" && same(status.publicAddress, tcp);
    const base = {
      ...(this.match ? { match: this.match } : {}),
      ...(this.search ? { search: this.search } : {}),
    };
    if (this.own || !status) {
      const own = this.own ?? { state: "STOPPED" as TunnelState, reason: "not started" };
      return {
        state: own.state,
        reason: own.reason,
        publicAddress: own.publicAddress,
        localPort: undefined,
        samePort: own.state === "OPEN" && same(own.publicAddress, tcp),
        lastKeepaliveAt: own.state === "OPEN" ? this.search?.at : undefined,
        ...base,
      };
    }
    const reason =
      status.state === "OPEN" && !samePort
        ? `${status.reason}; not the TCP public port ${tcp?.port ?? "(none)"} yet: looking again`
        : status.reason;
    return {
      state: status.state,
      reason,
      publicAddress: status.publicAddress,
      localPort: status.localPort,
      samePort,
      lastKeepaliveAt: status.lastKeepaliveAt,
      ...base,
    };
  }

  /**
   * The TCP side opened (first open, recovery or move): bring UDP onto its public port. Resolves when
   * that is settled (held, or found impossible for now), or "relocating" when TCP is being moved to
   * the pair's local port and will open again: then nothing should be pushed yet.
   */
  align(): Promise<Settled> {
    return this.enqueue(() => this.reconcile());
  }

  private enqueue(work: () => Promise<Settled>): Promise<Settled> {
    // A throw (a STUN name that does not resolve, a socket error) must not leave the side searching
    // for ever: it is a placement that found nothing, with the reason, and the retry comes as usual.
    const next = this.queue.then(work, work).catch(async (error: unknown) => {
      await this.dropMapping().catch(() => undefined);
      if (this.stopped) return "done" as Settled;
      return this.notFound(`the placement failed: ${(error as Error)?.message ?? String(error)}`);
    });
    this.queue = next;
    return next;
  }

  private async reconcile(): Promise<Settled> {
    if (this.stopped) return "done";
    const tcp = this.options.tunnel.status;
    if (tcp.state !== "OPEN" || !tcp.publicAddress || tcp.localPort === undefined) return "done";
    const status = this.mapping?.status;
    if (status && same(status.publicAddress, tcp.publicAddress)) {
      if (status.state === "OPEN") {
        this.pairMoves = 0;
        this.placements = 0;
        await this.attach();
      }
      // OPENING/RECOVERING on the right port: its own events bring it back here.
      return "done";
    }
    if (status && same(this.placedFor, tcp.publicAddress) && status.state !== "OPEN") return "done";
    if (same(this.placedFor, tcp.publicAddress)) {
      // Nothing found for this TCP address: the retry timer asks again.
      if (!status && this.own?.state === "FAILED") return "done";
      if (this.placements >= 2) {
        const seen = status?.publicAddress;
        await this.dropMapping();
        return this.notFound(
          `the UDP mapping placed for ${tcp.publicAddress.ip}:${tcp.publicAddress.port} came out as ${seen ? `${seen.ip}:${seen.port}` : "nothing"} twice`,
        );
      }
    } else this.placements = 0;
    this.placements++;
    return this.place(tcp.localPort, tcp.publicAddress);
  }

  private async place(localPort: number, publicAddress: PublicAddress): Promise<Settled> {
    clearTimeout(this.retryTimer);
    await this.dropMapping();
    this.placedFor = publicAddress;
    const placement = placeUdp({
      localPort,
      publicPort: publicAddress.port,
      inbound: this.options.inbound(),
      targetOnThisHost: this.options.targetOnThisHost,
      targetPort: this.options.targetPort(),
    });
    this.setOwn("OPENING", this.searchingText(placement, publicAddress));
    switch (placement.kind) {
      case "downloader":
        return this.checkForDownloader(publicAddress);
      case "host-snat":
        return this.placeWithHostSnat(publicAddress);
      case "search":
        return this.placeBySearch(localPort, publicAddress, placement.avoidLocalPorts);
    }
  }

  private searchingText(placement: UdpPlacement, publicAddress: PublicAddress): string {
    const at = `${publicAddress.ip}:${publicAddress.port}`;
    switch (placement.kind) {
      case "downloader":
        return `checking that the gateway keeps UDP port ${publicAddress.port} before the downloader takes it`;
      case "host-snat":
        return `opening UDP on ${at} through this host's nftables (the downloader holds local port ${publicAddress.port})`;
      case "search":
        return `looking for a UDP mapping on the TCP public address ${at}`;
    }
  }

  private async placeBySearch(localPort: number, wanted: PublicAddress, avoid: number[]): Promise<Settled> {
    const outcome = await findEqualPortUdp({
      tcpPublicAddress: wanted,
      tcpLocalPort: localPort,
      stunServers: this.options.stunUdp,
      avoidLocalPorts: avoid,
    });
    if (this.stopped) {
      if (outcome.found) await outcome.port.close();
      return "done";
    }
    if (outcome.found) {
      this.search = searchOf(outcome.tried, true);
      this.hold(outcome.port, outcome.via === "direct" ? "SAME_LOCAL_PORT" : "SEARCH");
      return "done";
    }
    this.search = searchOf(outcome.tried, false, outcome.reason.code);
    const tried = `${outcome.tried.sockets} sockets, ${outcome.tried.packets} STUN datagrams, ${(outcome.tried.elapsedMs / 1000).toFixed(1)} s`;
    const movable =
      localPort !== wanted.port &&
      this.options.configuredLocalPort === 0 &&
      this.options.stunTcp.length > 0 &&
      outcome.reason.code !== "NO_UDP_ANSWER" &&
      outcome.reason.code !== "OTHER_PUBLIC_IP";
    if (!movable || this.pairMoves >= MAX_PAIR_MOVES) {
      const why =
        this.options.configuredLocalPort !== 0 && localPort !== wanted.port
          ? `; localPort is fixed at ${this.options.configuredLocalPort}, so TCP cannot move to a pair (set localPort: 0 to allow it)`
          : "";
      return this.notFound(`${outcome.reason.message} (tried ${tried})${why}`);
    }
    return this.placeByPair(wanted, `${outcome.reason.message} (tried ${tried})`);
  }

  /** Nothing on T: find a TCP and a UDP mapping with equal public ports and move TCP there. */
  private async placeByPair(old: PublicAddress, before: string): Promise<Settled> {
    this.setOwn("OPENING", `${before}; searching for a TCP and a UDP mapping with equal public ports`);
    const pair = await findEqualPortPair({ stunTcp: this.options.stunTcp, stunUdp: this.options.stunUdp });
    if (this.stopped) {
      if (pair.found) {
        pair.tcp.release();
        await pair.udp.close();
      }
      return "done";
    }
    const tried = pair.tried;
    this.search = {
      outcome: pair.found ? "FOUND" : "NOT_FOUND",
      ...(pair.found ? {} : { code: pair.reason.code }),
      sockets: tried.udpSockets + tried.tcpConnections,
      packets: tried.packets,
      elapsedMs: tried.elapsedMs,
      at: new Date(),
    };
    const spent = `${tried.udpSockets} UDP sockets, ${tried.tcpConnections} TCP connections, ${tried.packets} STUN requests, ${(tried.elapsedMs / 1000).toFixed(1)} s`;
    if (!pair.found)
      return this.notFound(`${before}; no equal pair either: ${pair.reason.message} (${spent})`);
    const downloaderMoves = this.options.targetPort() === old.port;
    if (this.options.targetOnThisHost && downloaderMoves && pair.udp.localPort === pair.publicAddress.port) {
      // The downloader will listen on that port: our socket must not be there.
      pair.tcp.release();
      await pair.udp.close();
      return this.notFound(`${before}; the pair found holds UDP on the downloader's own port (${spent})`);
    }
    this.pairMoves++;
    this.hold(pair.udp, "PAIR");
    const to = pair.publicAddress.port;
    this.options.logger.info(
      `tunnel ${this.options.id}: TCP and UDP share public port ${to} from local TCP port ${pair.tcp.localPort} (was ${old.port}; ${spent}); moving TCP there`,
      { tunnel: this.options.id, protocol: "udp" },
    );
    this.options.tunnel.relocate(
      pair.tcp.localPort,
      `a TCP and a UDP mapping share public port ${to} (UDP could not have ${old.port})`,
      () => pair.tcp.release(),
    );
    return "relocating";
  }

  private async placeWithHostSnat(wanted: PublicAddress): Promise<Settled> {
    let port: UdpStunPort;
    try {
      port = await UdpStunPort.open(0);
    } catch (error) {
      return this.notFound(`no free local UDP port for the mapping: ${(error as Error).message}`);
    }
    try {
      await this.options.forwarding.prepareSnat(wanted.port, port.localPort);
    } catch (error) {
      await port.close();
      return this.notFound(`nftables refused the UDP source rewrite: ${(error as Error).message}`);
    }
    this.search = undefined;
    this.hold(port, "SAME_LOCAL_PORT", true);
    return "done";
  }

  /** Direct-downloader path: the downloader will hold UDP T; ask once whether the gateway keeps it. */
  private async checkForDownloader(wanted: PublicAddress): Promise<Settled> {
    let port: UdpStunPort;
    try {
      port = await UdpStunPort.open(wanted.port);
    } catch (error) {
      return this.notFound(
        `could not check UDP port ${wanted.port}: ${(error as Error).message}; the downloader's uTP may or may not be reachable`,
      );
    }
    try {
      const answer = await punchUdp(port, this.options.stunUdp, {
        rtoMs: 500,
        maxSends: 3,
        timeoutMs: 3_500,
      });
      this.search = { outcome: "FOUND", sockets: 1, packets: port.packetsSent, elapsedMs: 0, at: new Date() };
      if (!same(answer.publicAddress, wanted)) {
        return this.notFound(
          `UDP from local port ${wanted.port} comes out as ${answer.publicAddress.ip}:${answer.publicAddress.port}, not ${wanted.ip}:${wanted.port}: uTP peers cannot reach the downloader on the announced port`,
        );
      }
      this.match = "DOWNLOADER";
      this.setOwn(
        "OPEN",
        `the gateway keeps UDP port ${wanted.port} (checked once); the downloader holds it and its own uTP and DHT traffic keeps the mapping, without bans or the connection table for UDP peers (no nftables here)`,
        answer.publicAddress,
      );
      return "done";
    } catch (error) {
      return this.notFound(
        `no STUN answer over UDP from local port ${wanted.port}: ${(error as Error).message}`,
      );
    } finally {
      await port.close();
    }
  }

  private hold(port: UdpStunPort, match: TunnelUdpMatch, snat = false): void {
    this.match = match;
    this.snat = snat;
    this.own = undefined;
    const mapping = new UdpMapping({
      id: this.options.id,
      stunServers: this.options.stunUdp,
      logger: this.options.logger,
      adopt: port,
      ...(this.options.keepaliveSeconds ? { keepaliveSeconds: this.options.keepaliveSeconds } : {}),
      ...(this.options.timing ? { timing: this.options.timing } : {}),
    });
    this.mapping = mapping;
    this.unsubscribe = mapping.onChange(() => {
      if (this.mapping !== mapping) return;
      this.options.onChange();
      void this.enqueue(() => this.reconcile());
    });
    mapping.start();
    this.options.onChange();
  }

  private async attach(): Promise<void> {
    const mapping = this.mapping;
    const port = mapping?.port;
    if (!mapping || !port) return;
    if (this.attached?.port === port) return;
    const publicPort = mapping.status.publicAddress?.port;
    const held: HeldUdp =
      this.snat && publicPort !== undefined
        ? { port, arrivePort: publicPort, snatFrom: port.localPort }
        : { port, arrivePort: port.localPort };
    this.attached = held;
    try {
      await this.options.forwarding.attach(held);
    } catch (error) {
      this.options.logger.error(
        `tunnel ${this.options.id}: forwarding UDP from port ${held.arrivePort} failed: ${(error as Error).message}`,
      );
    }
  }

  private async notFound(reason: string): Promise<Settled> {
    this.match = undefined;
    const retryMs = this.options.retryAfterMs ?? RETRY_AFTER_MS;
    this.setOwn(
      "FAILED",
      `no UDP mapping on the TCP public port: ${reason}. TCP keeps working; uTP and DHT peers cannot reach the downloader on this port. Trying again in ${Math.round(retryMs / 60_000)} min or when the TCP port moves`,
    );
    this.options.logger.warn(`tunnel ${this.options.id}: ${this.own?.reason}`, {
      tunnel: this.options.id,
      protocol: "udp",
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.placedFor = undefined;
      this.pairMoves = 0;
      void this.enqueue(() => this.reconcile());
    }, retryMs);
    this.retryTimer.unref?.();
    return "done";
  }

  private setOwn(state: TunnelState, reason: string, publicAddress?: PublicAddress): void {
    this.own = { state, reason, ...(publicAddress ? { publicAddress } : {}) };
    this.options.onChange();
  }

  private async dropMapping(): Promise<void> {
    const mapping = this.mapping;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.mapping = undefined;
    if (this.attached) {
      this.attached = undefined;
      await this.options.forwarding
        .attach(undefined)
        .catch((error: Error) =>
          this.options.logger.warn(`tunnel ${this.options.id}: detaching UDP forwarding: ${error.message}`),
        );
    }
    await mapping?.stop();
  }
}
