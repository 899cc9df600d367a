/**
 * IPv6 pinholes: over IPv6 nothing is translated, so a router only has to let unsolicited inbound
 * packets through its firewall to one address and port. UPnP IGD v2 (`WANIPv6FirewallControl`) and
 * PCP (`MAP` for an IPv6 internal address) both do that; NAT-PMP cannot.
 */

export type PinholeTransport = "TCP" | "UDP";

/** What to let in: any remote host and port, to `address`:`port` over `transport`. */
export interface PinholeRequest {
  /** A global IPv6 address of this host (routers let a host open pinholes to itself only). */
  address: string;
  port: number;
  transport: PinholeTransport;
  leaseSeconds: number;
}

/** A pinhole the router granted. */
export interface GrantedPinhole extends PinholeRequest {
  /** How the router names it: the UPnP UniqueID, or the PCP mapping nonce (hex). */
  handle: string;
}

/** A home router that opens IPv6 pinholes for this host. */
export interface PinholeGateway {
  readonly protocol: "upnp" | "pcp";
  /** Its UPnP description URL, or its address for PCP. */
  readonly location: string;
  open(request: PinholeRequest, signal?: AbortSignal): Promise<GrantedPinhole>;
  /** Extends the lease (UPnP `UpdatePinhole`, PCP `MAP` again with the same nonce). */
  renew(pinhole: GrantedPinhole, leaseSeconds: number, signal?: AbortSignal): Promise<GrantedPinhole>;
  close(pinhole: GrantedPinhole, signal?: AbortSignal): Promise<void>;
}

/** Where one downloader port's pinholes (TCP and UDP) stand. */
export interface PinholeStatus {
  /**
   * `searching`, `open` (both transports, or the one asked for), `no-gateway` (no router offers
   * pinholes), `failed` (a router answered and refused; `error` says why), `removed` (after stop).
   */
  state: "searching" | "open" | "no-gateway" | "failed" | "removed";
  protocol?: "upnp" | "pcp";
  gateway?: string;
  address: string;
  port: number;
  tcp: boolean;
  udp: boolean;
  /** The earlier of the two leases' ends; renewed at half-time. */
  leaseEndsAt?: Date;
  error?: string;
}
