import type { ResultOf } from "../graphql/graphql.js";
import type { TUNNEL_FIELDS } from "./documents.js";

// The dashboard's tunnel types, derived from its documents and so from the daemon's schema.

/** One tunnel with the fields the dashboard selects. */
export type Tunnel = ResultOf<typeof TUNNEL_FIELDS>;

/** A tunnel's state as the daemon reports it. */
export type TunnelState = Tunnel["state"];

/** How peers reach the downloader. */
export type TunnelPath = Tunnel["path"];

/**
 * Counters of one tunnel; bytes are floats because they outgrow 32-bit integers. Null when the daemon
 * does not know them (the tunnel is not forwarding, or the kernel's counters could not be read).
 */
export type TunnelStats = Tunnel["stats"];

/** The push of the public port into the BitTorrent client. */
export type TunnelDownloader = NonNullable<Tunnel["downloader"]>;

/** The last run of a tunnel's hooks (command and/or webhook). */
export type TunnelHooks = NonNullable<Tunnel["hooks"]>;

/** How one hook went on its last run; `output` is what a failed command printed (never a webhook's). */
export type HookOutcome = NonNullable<TunnelHooks["command"]>;

/** The tunnel's mapping on a home router in front of this host (UPnP IGD, PCP or NAT-PMP). */
export type TunnelUpnp = NonNullable<Tunnel["upnp"]>;

/** The tunnel's UDP mapping on the same public port (uTP, DHT); null for a tunnel with `udp: false`. */
export type TunnelUdp = NonNullable<Tunnel["udp"]>;

/** The downloader's IPv6 path beside the tunnel: its address and port, and the router's pinhole for it. */
export type TunnelIpv6 = NonNullable<Tunnel["ipv6"]>;

/** The pinhole in the home router's IPv6 firewall; null while UPnP is off. */
export type TunnelPinhole = NonNullable<TunnelIpv6["pinhole"]>;
