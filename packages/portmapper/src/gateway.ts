/** A mapping the gateway granted. */
export interface GrantedMapping {
  /** The port on the gateway's external address (the same as the internal one when it kept it). */
  externalPort: number;
  /** The lease the gateway granted, in seconds; 0 = until removed (a gateway that offers only that). */
  leaseSeconds: number;
}

/**
 * A home router that maps ports for this host: over UPnP IGD (SOAP) or NAT-PMP. Every mapping is TCP,
 * from the gateway's external port to the same port on this host's address toward the gateway.
 */
export interface MappingGateway {
  readonly protocol: "upnp" | "pcp" | "nat-pmp";
  /** How the gateway is named in a status: its description URL (UPnP) or address (PCP, NAT-PMP). */
  readonly location: string;
  /** This host's address as the gateway sees it: where mappings point to. */
  readonly internalClient: string;
  /** The address the gateway holds on its WAN side, as it reports it. */
  externalIp(signal?: AbortSignal): Promise<string>;
  /** Map external `port` to `internalClient:port` (asks for the same port outside). */
  mapTcp(
    port: number,
    leaseSeconds: number,
    description: string,
    signal?: AbortSignal,
  ): Promise<GrantedMapping>;
  /** Remove this host's mapping of `port`. */
  unmapTcp(port: number, signal?: AbortSignal): Promise<void>;
}
