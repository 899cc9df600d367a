import type { Logger } from "@autostun/plugins-api";
import type { InboundHandler } from "../inbound.js";
import type { TunnelInbound } from "./inbound-path.js";
import type { TunnelNetwork } from "./network.js";
import type { NetworkSource } from "./network-watch.js";
import type { TunnelTiming } from "./timing.js";
import type { TunnelPorts } from "./types.js";

/** What a tunnel is made from; apart from the Tunnel class, so its validation needs no import back. */
export interface TunnelOptions {
  id: string;
  /** Port P; 0 or absent lets the tunnel choose a free one. */
  localPort?: number;
  /** `stun.tcp` servers, "host:port"; all are asked at once, the first answer wins. */
  stunServers: readonly string[];
  /** `keepalive` from the config: an HTTP server that keeps connections open. */
  keepalive: { target: string; intervalSeconds?: number };
  /** Receives every peer accepted on our listener (the forwarder); unused when nothing listens. */
  handler: InboundHandler;
  /** Where peers arrive and whether the tunnel listens (default: it listens on P). */
  inbound?: TunnelInbound;
  /**
   * Asked at every (re)open once the public port is known and before anything listens: the path for
   * these ports, or undefined to keep the current one. A port-preserving gateway (public port == P)
   * is only known here, and a downloader on this host then cannot listen on P beside our listener.
   * The tunnel does not log the choice; the caller, who knows the reason, logs it once.
   */
  chooseInbound?: (ports: TunnelPorts) => TunnelInbound | undefined;
  logger: Logger;
  /** Where the listener binds; default "0.0.0.0". */
  listenAddress?: string;
  /** Overrides of the timing defaults (tests make them short). */
  timing?: Partial<TunnelTiming>;
  /** Where local address and route changes are read from (default: this host). */
  networkSource?: NetworkSource;
  /** Replaces every real socket (unit tests). */
  network?: TunnelNetwork;
  /** Random source for retry jitter (tests pin it). */
  random?: () => number;
}
