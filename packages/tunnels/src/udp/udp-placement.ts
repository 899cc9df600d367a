import type { TunnelInbound } from "@autostun/relay";

/**
 * Where the UDP mapping of a tunnel can live, once the TCP side is open on local port P with public
 * port T. The downloader always listens on T (it announces the port it listens on), for TCP and UDP.
 *
 * - `search`: hold a socket whose public port is T, found by the equal-port search (direct tries
 *   first). When the downloader runs on this host, local UDP port T is its own, so it is avoided.
 * - `host-snat`: the gateway keeps ports (T == P) and the downloader on this host holds UDP T. Only a
 *   packet leaving with source port T comes out as T, so our socket sits on a free port U and
 *   nftables rewrites its source port to T; peers' new flows to T are handed to the socket (user
 *   space) or DNATed like TCP (kernel).
 * - `downloader`: the same gateway without nftables: the downloader holds UDP T itself; we can only
 *   check once, before it binds, that the gateway keeps UDP port T.
 */
export type UdpPlacement =
  | { kind: "search"; avoidLocalPorts: number[] }
  | { kind: "host-snat" }
  | { kind: "downloader" };

export interface UdpPlacementInput {
  localPort: number;
  publicPort: number;
  inbound: TunnelInbound["kind"];
  /** The target is this host (loopback or one of its addresses), where the downloader binds T. */
  targetOnThisHost: boolean;
}

export function placeUdp(input: UdpPlacementInput): UdpPlacement {
  if (input.inbound === "downloader-on-p") return { kind: "downloader" };
  if (!input.targetOnThisHost) return { kind: "search", avoidLocalPorts: [] };
  if (input.localPort === input.publicPort) {
    // kernel-dnat and relay-port both run nftables already; listen-on-p here would mean T is ours.
    if (input.inbound === "kernel-dnat" || input.inbound === "relay-port") return { kind: "host-snat" };
  }
  return { kind: "search", avoidLocalPorts: [input.publicPort] };
}
