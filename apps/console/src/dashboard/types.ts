/** A tunnel's state as the daemon reports it. */
export type TunnelState = "STOPPED" | "OPENING" | "OPEN" | "RECOVERING" | "FAILED";

/** How peers reach the downloader. */
export type TunnelPath = "USERSPACE" | "NFTABLES" | "DIRECT_DOWNLOADER";

/**
 * Counters of one tunnel; bytes are floats because they outgrow 32-bit integers. Null when the daemon
 * does not know them (the tunnel is not forwarding, or the kernel's counters could not be read).
 */
export interface TunnelStats {
  active: number | null;
  handled: number | null;
  blocked: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
}

/** The push of the public port into the BitTorrent client; absent on daemons without it. */
export interface TunnelDownloader {
  kind: string;
  url: string;
  state: string;
  lastPushAt: string | null;
  verifiedPort: number | null;
  /** The daemon's words: what went wrong and what to do, in the page's language. */
  error: string | null;
  // The retry details below are absent on daemons that do not report them.
  /** The daemon's DownloaderErrorKind (CREDENTIALS_REFUSED…), or a newer daemon's kind. */
  errorKind?: string | null;
  /** The port the client was told last. */
  requestedPort?: number | null;
  nextRetryAt?: string | null;
  attempts?: number;
}

/** How one hook went on its last run. */
export interface HookOutcome {
  ok: boolean;
  error: string | null;
  /** The end of what a failed command printed on stderr (asked for the command only). */
  output?: string | null;
}

/** The last run of a tunnel's hooks (command and/or webhook). */
export interface TunnelHooks {
  ok: boolean;
  lastRunAt: string;
  /** The address the hooks were told. */
  publicAddress: { ip: string; port: number };
  command: HookOutcome | null;
  webhook: HookOutcome | null;
}

/** The tunnel's mapping on a home router in front of this host (UPnP IGD, PCP or NAT-PMP). */
export interface TunnelUpnp {
  state: string;
  protocol: string | null;
  /** The router's description URL (UPnP) or address (PCP, NAT-PMP). */
  gateway: string | null;
  externalIp: string | null;
  externalPort: number | null;
  /** Null for a lease without end. */
  leaseEndsAt: string | null;
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
  // Absent on daemons without the field; null while the daemon has nothing to say.
  hooks?: TunnelHooks | null;
  upnp?: TunnelUpnp | null;
  /** The LAN address the mapping leaves from and the public address leads to. */
  privateAddress?: { ip: string; port: number } | null;
  /** Where this process listens for peers (P, or the relay port behind an nftables redirect). */
  listenPort?: number | null;
}
