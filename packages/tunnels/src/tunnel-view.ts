import type { TunnelConfig } from "@autostun/config";
import type { DownloaderStatus, HookRun } from "@autostun/downloaders";
import type { TunnelStatus } from "@autostun/relay";
import type { TunnelUdpView } from "./udp/tunnel-udp-view.js";

/** Where a tunnel's definition lives: the config file, or SQLite after `saveTunnel`. */
export type TunnelOrigin = "config" | "api";

/** One tunnel as the API shows it: what was asked for and what the engine is doing about it. */
export interface TunnelView {
  config: TunnelConfig;
  origin: TunnelOrigin;
  status: TunnelStatus;
  /** The push to the tunnel's downloader (IDLE until the first public address); absent without one. */
  downloader?: DownloaderStatus;
  /** The last run of the tunnel's hooks; absent before the first or without hooks. */
  hooks?: HookRun;
  /** The UDP mapping on the same public port; absent when the tunnel has `udp: false`. */
  udp?: TunnelUdpView;
}

/** The contract's `Tunnel.stats`, the same for user-space and kernel forwarding. */
export interface TunnelStats {
  active: number;
  handled: number;
  blocked: number;
  bytesIn: number;
  bytesOut: number;
}
