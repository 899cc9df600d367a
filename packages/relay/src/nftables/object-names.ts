import { createHash } from "node:crypto";

/** The nftables objects one tunnel owns inside the daemon's table. */
export interface TunnelObjectNames {
  /** Prefix every object of this tunnel starts with; also how leftovers are recognised. */
  prefix: string;
  /** Banned ranges: an interval set, since nft can match a range only there. */
  banSet: string;
  /** Banned single hosts: a plain hash set, which nft updates without reading it whole first. */
  hostBanSet: string;
  /** The same two for IPv6 peers of a downloader on this host, who reach it at its own address. */
  banSet6: string;
  hostBanSet6: string;
  /** Refusals by the per-/64 limit on IPv6 inbound to the downloader's port, TCP and UDP apart. */
  limited6: string;
  udpLimited6: string;
  filterChain: string;
  natChain: string;
  bytesInChain: string;
  bytesOutChain: string;
  /** Source NAT of the UDP mapping's own packets onto the port peers dial (port-preserving gateway). */
  udpSnatChain: string;
  handled: string;
  /** UDP flows handed on, apart from TCP's, so each protocol's arrivals can be told. */
  udpHandled: string;
  blocked: string;
  /** The UDP parts of `blocked`, `bytesIn` and `bytesOut`, counted apart for the same reason. */
  udpBlocked: string;
  udpBytesIn: string;
  udpBytesOut: string;
  bytesIn: string;
  bytesOut: string;
}

/**
 * Tunnel ids are free text, nftables names are not: keep a readable part of the id and add a short
 * hash of the whole id, so "a-b" and "a_b" cannot end up sharing chains.
 */
export function tunnelObjectNames(tunnelId: string): TunnelObjectNames {
  const readable = tunnelId.replace(/[^A-Za-z0-9]/g, "_").slice(0, 24);
  const hash = createHash("sha256").update(tunnelId).digest("hex").slice(0, 6);
  const prefix = `t_${readable}_${hash}`;
  return {
    prefix,
    banSet: `${prefix}_ban`,
    hostBanSet: `${prefix}_banh`,
    banSet6: `${prefix}_ban6`,
    hostBanSet6: `${prefix}_banh6`,
    limited6: `${prefix}_lim6`,
    udpLimited6: `${prefix}_ulim6`,
    filterChain: `${prefix}_filter`,
    natChain: `${prefix}_nat`,
    bytesInChain: `${prefix}_bytes_in`,
    bytesOutChain: `${prefix}_bytes_out`,
    udpSnatChain: `${prefix}_usnat`,
    handled: `${prefix}_handled`,
    udpHandled: `${prefix}_uhandled`,
    udpBlocked: `${prefix}_ublocked`,
    udpBytesIn: `${prefix}_uin`,
    udpBytesOut: `${prefix}_uout`,
    blocked: `${prefix}_blocked`,
    bytesIn: `${prefix}_in`,
    bytesOut: `${prefix}_out`,
  };
}
