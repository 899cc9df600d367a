/**
 * What the pinhole manager needs of `@autostun/portmapper`'s `PinholeKeeper` and `findPinholeGateway`,
 * written structurally so the manager is tested with fakes and takes the real ones as defaults.
 */

export type PinholeTransportName = "TCP" | "UDP";

/** Where one port's pinholes stand, in the portmapper's words. */
export interface PinholeKeeperStatus {
  state: "searching" | "open" | "no-gateway" | "failed" | "removed";
  protocol?: "upnp" | "pcp";
  gateway?: string;
  address: string;
  port: number;
  tcp: boolean;
  udp: boolean;
  leaseEndsAt?: Date;
  error?: string;
}

/** The outcome of a search for a router that opens pinholes; `gateway` is opaque here. */
export interface PinholeGatewaySearch {
  gateway?: unknown;
  tried: string[];
}

export interface PinholeKeeperRequest {
  address: string;
  port: number;
  transports: PinholeTransportName[];
  leaseSeconds: number;
  description: string;
  find: () => Promise<PinholeGatewaySearch>;
  onChange?: (status: PinholeKeeperStatus) => void;
}

export interface PinholeKeeperLike {
  readonly status: PinholeKeeperStatus;
  start(): void;
  stop(): Promise<void>;
}

export type PinholeKeeperFactory = (request: PinholeKeeperRequest) => PinholeKeeperLike;

export type FindPinholeGateway = (options: {
  signal?: AbortSignal;
  address: string;
}) => Promise<PinholeGatewaySearch>;
