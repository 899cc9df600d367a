import type { TunnelActivityEntry } from "@autostun/plugins-api";
import { type ConnectionRecord, formatEndpoint } from "@autostun/relay";
import type { TunnelView } from "./tunnel-view.js";

interface Arrivals {
  firstAt: Date;
  /** Undefined when the kernel forwarded the peer: its counters say that one came, not who. */
  firstFrom: string | undefined;
  firstVia: string | undefined;
  lastAt: Date;
}

/**
 * Remembers, per tunnel, the first and latest peer of this daemon run: the evidence `relay.reachability`
 * needs that the public address really takes inbound connections. Kept in memory on purpose: a peer
 * from a previous run proves nothing about the mapping the gateway holds now.
 */
export class TunnelArrivals {
  private readonly byTunnel = new Map<string, Arrivals>();

  /** Called for every accepted peer; `publicAddress` is where the tunnel was published at that moment. */
  record(connection: Readonly<ConnectionRecord>, publicAddress: string | undefined): void {
    const known = this.byTunnel.get(connection.tunnelId);
    if (known) {
      known.lastAt = connection.openedAt;
      return;
    }
    this.byTunnel.set(connection.tunnelId, {
      firstAt: connection.openedAt,
      firstFrom: connection.remoteAddress,
      firstVia: publicAddress,
      lastAt: connection.openedAt,
    });
  }

  /**
   * For kernel forwarding, which records no connections: a DNAT counter above zero shows that peers
   * came, noticed now (the counter tells no time either).
   */
  recordCounted(tunnelId: string, publicAddress: string | undefined, now = new Date()): void {
    if (this.byTunnel.has(tunnelId)) return;
    this.byTunnel.set(tunnelId, { firstAt: now, firstFrom: undefined, firstVia: publicAddress, lastAt: now });
  }

  has(tunnelId: string): boolean {
    return this.byTunnel.has(tunnelId);
  }

  forget(tunnelId: string): void {
    this.byTunnel.delete(tunnelId);
  }

  describe(view: TunnelView): TunnelActivityEntry {
    const { status } = view;
    const entry: TunnelActivityEntry = { id: view.config.id, state: status.state };
    const publicAddress = formatPublic(status.publicAddress);
    if (publicAddress) entry.publicAddress = publicAddress;
    const seen = this.byTunnel.get(view.config.id);
    if (seen) {
      entry.firstInboundAt = seen.firstAt.toISOString();
      if (seen.firstFrom) entry.firstInboundFrom = seen.firstFrom;
      if (seen.firstVia) entry.firstInboundVia = seen.firstVia;
      entry.lastInboundAt = seen.lastAt.toISOString();
    }
    return entry;
  }
}

export function formatPublic(address: { ip: string; port: number } | undefined): string | undefined {
  if (!address) return undefined;
  return formatEndpoint(address.ip, address.port);
}
