import type { TunnelActivityEntry, TunnelUdpActivity } from "@autostun/plugins-api";
import {
  type ConnectionProtocol,
  type ConnectionRecord,
  connectionProtocol,
  formatEndpoint,
} from "@autostun/relay";
import type { TunnelView } from "./tunnel-view.js";
import type { TunnelUdpView } from "./udp/tunnel-udp-view.js";

interface Arrivals {
  firstAt: Date;
  /** Undefined when the kernel forwarded the peer: its counters say that one came, not who. */
  firstFrom: string | undefined;
  firstVia: string | undefined;
  lastAt: Date;
}

/** What this run has seen of one tunnel: arrivals per protocol, and since when UDP sits on the same port. */
interface Seen {
  TCP?: Arrivals;
  UDP?: Arrivals;
  udpSamePortSince?: Date;
}

/**
 * Remembers, per tunnel and per protocol, the first and latest peer of this daemon run: the evidence
 * `relay.reachability` needs that the public address really takes inbound connections (TCP) and
 * datagrams (a UDP session: uTP or the DHT). Kept in memory on purpose: a peer from a previous run
 * proves nothing about the mappings the gateway holds now.
 */
export class TunnelArrivals {
  private readonly byTunnel = new Map<string, Seen>();

  /**
   * Called for every accepted peer with the tunnel as it is at that moment, so a UDP session is
   * credited to the UDP public address and the UDP side's same-port time is looked at while peers come.
   */
  record(connection: Readonly<ConnectionRecord>, view: TunnelView | undefined): void {
    const protocol = connectionProtocol(connection);
    const seen = this.seen(connection.tunnelId);
    if (view) this.noteUdp(seen, view.udp, connection.openedAt);
    const known = seen[protocol];
    if (known) {
      known.lastAt = connection.openedAt;
      return;
    }
    seen[protocol] = {
      firstAt: connection.openedAt,
      firstFrom: connection.remoteAddress,
      firstVia: view ? publicOf(view, protocol) : undefined,
      lastAt: connection.openedAt,
    };
  }

  /**
   * For kernel forwarding, which records no connections: a DNAT counter above zero shows that peers
   * came, noticed now (the counter tells no time either).
   */
  recordCounted(
    tunnelId: string,
    publicAddress: string | undefined,
    now = new Date(),
    protocol: ConnectionProtocol = "TCP",
  ): void {
    const seen = this.seen(tunnelId);
    if (seen[protocol]) return;
    seen[protocol] = { firstAt: now, firstFrom: undefined, firstVia: publicAddress, lastAt: now };
  }

  has(tunnelId: string, protocol: ConnectionProtocol = "TCP"): boolean {
    return this.byTunnel.get(tunnelId)?.[protocol] !== undefined;
  }

  forget(tunnelId: string): void {
    this.byTunnel.delete(tunnelId);
  }

  describe(view: TunnelView, now = new Date()): TunnelActivityEntry {
    const { status } = view;
    const entry: TunnelActivityEntry = { id: view.config.id, state: status.state };
    const publicAddress = formatPublic(status.publicAddress);
    if (publicAddress) entry.publicAddress = publicAddress;
    const seen = this.byTunnel.get(view.config.id);
    Object.assign(entry, arrivalFields(seen?.TCP));
    if (view.udp) {
      const tracked = seen ?? this.seen(view.config.id);
      this.noteUdp(tracked, view.udp, now);
      entry.udp = describeUdp(view.udp, tracked);
    }
    return entry;
  }

  private seen(tunnelId: string): Seen {
    let seen = this.byTunnel.get(tunnelId);
    if (!seen) {
      seen = {};
      this.byTunnel.set(tunnelId, seen);
    }
    return seen;
  }

  /**
   * The UDP side is only looked at now and then (a peer arriving, a check asking), so a break between
   * two looks goes unseen; the time kept is therefore the first look that found it on the same port.
   */
  private noteUdp(seen: Seen, udp: TunnelUdpView | undefined, at: Date): void {
    if (udp?.state === "OPEN" && udp.samePort) seen.udpSamePortSince ??= at;
    else delete seen.udpSamePortSince;
  }
}

function describeUdp(udp: TunnelUdpView, seen: Seen): TunnelUdpActivity {
  const entry: TunnelUdpActivity = { state: udp.state, samePort: udp.samePort };
  const publicAddress = formatPublic(udp.publicAddress);
  if (publicAddress) entry.publicAddress = publicAddress;
  if (udp.localPort) entry.localPort = udp.localPort;
  if (udp.reason) entry.reason = udp.reason;
  if (seen.udpSamePortSince) entry.samePortSince = seen.udpSamePortSince.toISOString();
  return Object.assign(entry, arrivalFields(seen.UDP));
}

function arrivalFields(seen: Arrivals | undefined): Partial<TunnelActivityEntry> {
  if (!seen) return {};
  const fields: Partial<TunnelActivityEntry> = { firstInboundAt: seen.firstAt.toISOString() };
  if (seen.firstFrom) fields.firstInboundFrom = seen.firstFrom;
  if (seen.firstVia) fields.firstInboundVia = seen.firstVia;
  fields.lastInboundAt = seen.lastAt.toISOString();
  return fields;
}

/** The public address a peer of `protocol` had to use: the UDP mapping's for a UDP session. */
function publicOf(view: TunnelView, protocol: ConnectionProtocol): string | undefined {
  return formatPublic(protocol === "UDP" ? view.udp?.publicAddress : view.status.publicAddress);
}

export function formatPublic(address: { ip: string; port: number } | undefined): string | undefined {
  if (!address) return undefined;
  return formatEndpoint(address.ip, address.port);
}
