import type { PinholeActivityState, TunnelIpv6Activity } from "@autostun/plugins-api";

/** The pinhole for the downloader's port on the home router, as the API shows it. */
export interface TunnelPinholeView {
  state: PinholeActivityState;
  protocol?: "upnp" | "pcp";
  /** The router: its UPnP description URL, or its address for PCP. */
  gateway?: string;
  /** Which transports the router holds open now. */
  tcp: boolean;
  udp: boolean;
  /** When the router's lease ends (the earlier of TCP's and UDP's); renewed before. */
  leaseEndsAt?: Date;
  /** Why it is not OPEN. */
  error?: string;
}

/**
 * A tunnel's IPv6 path: over IPv6 peers reach the downloader at its own address and port, no tunnel in
 * between; only firewalls stand in the way, and a pinhole opens the router's.
 */
export interface TunnelIpv6View {
  /** The downloader's global IPv6 address; undefined when unknown (no IPv6 here, or another machine). */
  address?: string;
  /** The downloader's port: the tunnel's target port, following what the downloader was told. */
  port: number;
  /** Undefined while `upnp.enabled` is false: no pinhole is asked for. */
  pinhole?: TunnelPinholeView;
}

/** The view in the plugin API's words (`TunnelActivityEntry.ipv6`): dates as ISO 8601 text. */
export function ipv6Activity(view: TunnelIpv6View): TunnelIpv6Activity {
  const { pinhole } = view;
  return {
    ...(view.address ? { address: view.address } : {}),
    port: view.port,
    ...(pinhole
      ? {
          pinhole: {
            state: pinhole.state,
            ...(pinhole.protocol ? { protocol: pinhole.protocol } : {}),
            ...(pinhole.gateway ? { gateway: pinhole.gateway } : {}),
            ...(pinhole.leaseEndsAt ? { leaseEndsAt: pinhole.leaseEndsAt.toISOString() } : {}),
            tcp: pinhole.tcp,
            udp: pinhole.udp,
            ...(pinhole.error ? { error: pinhole.error } : {}),
          },
        }
      : {}),
  };
}
