import { formatIp, type IpAddress } from "@autostun/ip";
import { deriveProxyIp } from "./derive.js";

/** How many other addresses to try before sharing one; 16.6 M slots make a long chain very unlikely. */
const MAX_ROUNDS = 8;

/**
 * Hands out source addresses for connections to a loopback target and keeps two live peers from
 * sharing one: many downloaders allow one connection per IP, so a collision would silently cost the
 * second peer its slot. Connections from the same real peer share its address, as they would without
 * the relay. Ports need no care: the kernel picks a free source port per source address.
 */
export class ProxyAddressPool {
  /** proxy IP → the real peer holding it and how many of its connections are live. */
  private readonly holders = new Map<string, { peer: string; count: number }>();

  acquire(peer: IpAddress): string {
    const peerKey = formatIp(peer);
    let fallback: string | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const candidate = deriveProxyIp(peer, round);
      fallback ??= candidate;
      const holder = this.holders.get(candidate);
      if (!holder) {
        this.holders.set(candidate, { peer: peerKey, count: 1 });
        return candidate;
      }
      if (holder.peer === peerKey) {
        holder.count++;
        return candidate;
      }
    }
    // Every probe taken by other peers: share the stable address rather than refuse the peer.
    const shared = this.holders.get(fallback!)!;
    shared.count++;
    return fallback!;
  }

  release(proxyIp: string): void {
    const holder = this.holders.get(proxyIp);
    if (!holder) return;
    if (--holder.count <= 0) this.holders.delete(proxyIp);
  }

  get size(): number {
    return this.holders.size;
  }
}
