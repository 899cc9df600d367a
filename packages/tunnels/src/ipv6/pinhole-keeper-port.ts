import type {
  FindPinholeGatewayOptions,
  PinholeGateway,
  PinholeGatewaySearch,
  PinholeKeeperOptions,
  PinholeRequest,
  PinholeStatus,
  PinholeTransport,
} from "@autostun/portmapper";

/**
 * What the pinhole manager needs of `@autostun/portmapper`: a keeper per port (its `PinholeKeeper`) and
 * the router search (its `findPinholeGateway`), both handed in so tests can put a fake router behind.
 */

export type {
  PinholeGateway,
  PinholeGatewaySearch,
  PinholeKeeperOptions,
  PinholeRequest,
  PinholeStatus,
  PinholeTransport,
};

export interface PinholeKeeperLike {
  readonly status: PinholeStatus;
  start(): void;
  stop(): Promise<void>;
}

export type PinholeKeeperFactory = (options: PinholeKeeperOptions) => PinholeKeeperLike;

export type FindPinholeGateway = (options: FindPinholeGatewayOptions) => Promise<PinholeGatewaySearch>;
