/**
 * How peers that reach port P get to the downloader, which decides whether the tunnel listens and where.
 *
 * - `listen-on-p` (default): the tunnel listens on P and hands each peer to its handler (the
 *   user-space forwarder).
 * - `kernel-dnat` (`forward: nftables`): nftables DNATs new inbound TCP to P in prerouting, before the
 *   socket layer, so a listener on P would never see a peer. The tunnel keeps only the outbound side
 *   (punch and keep-alive from P) and listens nowhere; with no listener on P, a re-punch never has to
 *   close one first.
 * - `downloader-on-p` (port-preserving gateway, way a): the downloader itself listens on P once the
 *   keep-alive from P is connected (both sides SO_REUSEADDR). The tunnel must not listen; a re-punch
 *   finds P taken by the downloader and moves to a fresh port, which `onPortChange` announces so the
 *   daemon can push it.
 * - `relay-port` (port-preserving gateway, way b): nftables redirects inbound TCP to P onto port R,
 *   where the tunnel listens and hands peers to the forwarder, which reaches the downloader on P.
 *   `port` 0 picks R once; it is kept across recoveries.
 */
export type TunnelInbound =
  | { kind: "listen-on-p" }
  | { kind: "kernel-dnat" }
  | { kind: "downloader-on-p" }
  | { kind: "relay-port"; port: number };

/** The path a tunnel's peers take, as `Tunnel.path` in the API shows it. */
export type TunnelPath = "userspace" | "nftables" | "direct-downloader";

export function pathOf(inbound: TunnelInbound): TunnelPath {
  switch (inbound.kind) {
    case "listen-on-p":
    case "relay-port":
      return "userspace";
    case "kernel-dnat":
      return "nftables";
    case "downloader-on-p":
      return "direct-downloader";
  }
}

/** One line a user reads to know what the chosen path costs. */
export function pathCost(inbound: TunnelInbound, listenPort: number | undefined): string {
  switch (inbound.kind) {
    case "listen-on-p":
      return "every byte is copied through this process; bans, the connection table and 127.x peer addresses are ours";
    case "relay-port":
      return `nftables redirects port P to relay port ${listenPort ?? "R"}, then every byte is copied through this process; bans, the table and 127.x peer addresses are kept; needs root`;
    case "kernel-dnat":
      return "the kernel forwards without copies and the target sees real peer addresses; needs root; byte counts include packet headers";
    case "downloader-on-p":
      return "no copies, but no bans, connection table or GeoIP from us; each re-punch moves to a new port that must be pushed to the downloader";
  }
}

/** Whether this path keeps a listener of ours open, and on which port. */
export function listenPortFor(inbound: TunnelInbound, localPort: number): number | undefined {
  switch (inbound.kind) {
    case "listen-on-p":
      return localPort;
    case "relay-port":
      return inbound.port;
    default:
      return undefined;
  }
}
