import type { TunnelInbound } from "@autostun/relay";

/**
 * Where the UDP mapping of a tunnel can live, once the TCP side is open on local port P with public
 * port T. The downloader always listens on T (it announces the port it listens on), for TCP and UDP.
 *
 * - `search`: hold a socket whose public port is T, found by the equal-port search (direct tries
 *   first). A target on this host owns its UDP port (T for a downloader), so that port is avoided.
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
  /** The target is this host (loopback or one of its addresses). */
  targetOnThisHost: boolean;
  /** Where forwarded peers go: the downloader's port (T when there is a downloader), else the target's. */
  targetPort: number;
}

export function placeUdp(input: UdpPlacementInput): UdpPlacement {
  if (input.inbound === "downloader-on-p") return { kind: "downloader" };
  if (!input.targetOnThisHost) return { kind: "search", avoidLocalPorts: [] };
  const preserving = input.localPort === input.publicPort;
  // kernel-dnat and relay-port run nftables already; listen-on-p on T would mean the target is not on T.
  if (preserving && input.targetPort === input.publicPort && input.inbound !== "listen-on-p")
    return { kind: "host-snat" };
  return { kind: "search", avoidLocalPorts: [input.targetPort] };
}
