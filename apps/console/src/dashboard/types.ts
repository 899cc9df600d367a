/** A tunnel's state as the daemon reports it. */
export type TunnelState = "STOPPED" | "OPENING" | "OPEN" | "RECOVERING" | "FAILED";

/** How peers reach the downloader. */
export type TunnelPath = "USERSPACE" | "NFTABLES" | "DIRECT_DOWNLOADER";

/** Counters of one tunnel; bytes are floats because they outgrow 32-bit integers. */
export interface TunnelStats {
  active: number;
  handled: number;
  blocked: number;
  bytesIn: number;
  bytesOut: number;
}

/** The push of the public port into the BitTorrent client; absent on daemons without it. */
export interface TunnelDownloader {
  kind: string;
  url: string;
  state: string;
  lastPushAt: string | null;
  verifiedPort: number | null;
  error: string | null;
}

/** One tunnel with the fields the dashboard selects. */
export interface Tunnel {
  id: string;
  state: TunnelState;
  reason: string;
  path: TunnelPath;
  pathCost: string;
  localPort: number | null;
  publicAddress: { ip: string; port: number } | null;
  target: string;
  origin: "CONFIG" | "API";
  lastKeepaliveAt: string | null;
  lastRecoveryAt: string | null;
  /** When the tunnel last became OPEN; absent on daemons without the field. */
  openSince?: string | null;
  recoveryCount: number;
  nextRetryAt: string | null;
  stats: TunnelStats;
  downloader?: TunnelDownloader | null;
}
