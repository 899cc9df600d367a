import type { DownloaderIpv6Listening, DownloaderPeer } from "./downloader.js";

/**
 * A typed DI token. Tokens are `Symbol.for(...)` keys, so a plugin bundling its own copy of this
 * package still resolves the same services as the host.
 */
export type ServiceToken<T> = symbol & { readonly __service?: T };

/** Resolves services the host offers to extensions. Throws a clear error for an unknown token. */
export interface ServiceAccessor {
  get<T>(token: ServiceToken<T>): T;
}

function token<T>(name: string): ServiceToken<T> {
  return Symbol.for(`autostun.${name}`) as ServiceToken<T>;
}

/** STUN servers from the `stun` config section, as `host:port` strings. */
export interface StunSettings {
  udp: readonly string[];
  tcp: readonly string[];
}

/** Read-only access to the host's files, under a root that tests replace with a fixture folder. */
export interface SystemFiles {
  /** The file as UTF-8, or undefined when it does not exist or cannot be read. */
  readText(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** Entry names of a directory, or an empty list. */
  list(path: string): Promise<string[]>;
}

export interface CommandResult {
  /** Undefined when the program could not be started (see `error`). */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Why it did not run to completion: `ENOENT` (not installed), `EACCES`, `TIMEOUT`, … */
  error?: string;
}

/** Runs programs without a shell; tests replace it with recorded outputs. */
export interface CommandRunner {
  run(
    file: string,
    args: readonly string[],
    options?: { timeoutMs?: number; signal?: AbortSignal; input?: string },
  ): Promise<CommandResult>;
}

export interface InterfaceAddress {
  interface: string;
  address: string;
  family: "IPv4" | "IPv6";
  netmask: string;
  internal: boolean;
  mac?: string;
}

/** The host's network view. */
export interface NetworkInfo {
  addresses(): Promise<InterfaceAddress[]>;
}

/** Facts about the host itself. */
export interface HostInfo {
  /** Node's `process.platform`, or `dsm` on Synology DSM (a Linux that checks may treat apart). */
  platform: NodeJS.Platform | "dsm";
  /** True when running with administrator rights (root / elevated). */
  isPrivileged: boolean;
}

/** The local ports of configured tunnels: what inbound peers must reach on this host. */
export interface TunnelPorts {
  localPorts(): Promise<number[]>;
}

/** A tunnel's state, or the state of its UDP mapping alone. */
export type TunnelActivityState = "STOPPED" | "OPENING" | "OPEN" | "RECOVERING" | "FAILED";

/** A tunnel's state as the relay sees it now; every address is `ip:port` (`[v6]:port` for IPv6). */
export interface TunnelActivityEntry {
  id: string;
  state: TunnelActivityState;
  /** What the gateway maps to the tunnel's port; undefined until a STUN server answered. */
  publicAddress?: string;
  /**
   * When the first peer of this daemon run was accepted (ISO 8601): proof that inbound works. Since
   * 1.8.0 these four fields count TCP peers only; UDP sessions are in `udp`.
   */
  firstInboundAt?: string;
  /** That first peer's own address, as it reached the tunnel. */
  firstInboundFrom?: string;
  /** The public address peers were using when the first one arrived. */
  firstInboundVia?: string;
  lastInboundAt?: string;
  /** The tunnel's UDP side (since 1.8.0); absent when the tunnel holds no UDP mapping (`udp: false`). */
  udp?: TunnelUdpActivity;
  /** The downloader's IPv6 path and its pinhole on the home router (since 1.9.0); absent until known. */
  ipv6?: TunnelIpv6Activity;
}

/** Where a pinhole for the downloader's port stands on the home router (since 1.9.0). */
export type PinholeActivityState = "SEARCHING" | "OPEN" | "NO_GATEWAY" | "FAILED" | "REMOVED" | "UNSUPPORTED";

/**
 * Over IPv6 peers reach the downloader at its own global address and its own port, without the tunnel;
 * only firewalls stand in the way. A pinhole on the home router (UPnP IGD v2 or PCP) lets them through.
 */
export interface TunnelIpv6Activity {
  /** The downloader's global IPv6 address; undefined when it is not known (no IPv6, or another machine). */
  address?: string;
  /** The downloader's peer port: the tunnel's target port. */
  port: number;
  /** Absent while `upnp.enabled` is false: no pinhole was asked for. */
  pinhole?: {
    state: PinholeActivityState;
    protocol?: "upnp" | "pcp";
    /** The router: its UPnP description URL or its address. */
    gateway?: string;
    /** When the router's lease ends (ISO 8601); renewed before. */
    leaseEndsAt?: string;
    /** Which transports the router holds open. */
    tcp: boolean;
    udp: boolean;
    /** Why it is not OPEN, in the router's or AutoSTUN's words. */
    error?: string;
  };
}

/**
 * The UDP mapping a tunnel holds on its TCP public port for uTP and the DHT (since 1.8.0), and the UDP
 * peers that came in through it during this daemon run. Inbound UDP only proves something while the
 * mapping sits on the very port the downloader announces, hence `samePort`.
 */
export interface TunnelUdpActivity {
  state: TunnelActivityState;
  /** The UDP mapping's public side; undefined until a STUN server answered over UDP. */
  publicAddress?: string;
  /** The local UDP port holding the mapping: what a host firewall must let datagrams in on. */
  localPort?: number;
  /** True while the UDP public address equals the tunnel's TCP public address (IP and port). */
  samePort: boolean;
  /** Why the UDP side is in its state, in the relay's words (e.g. what an equal-port search tried). */
  reason?: string;
  /**
   * Since when (ISO 8601) the relay has seen the UDP side OPEN on the same port without a break; a
   * bound, not a measurement: the relay looks when a peer arrives and when activity is asked for.
   */
  samePortSince?: string;
  /** When the first UDP peer session of this daemon run began (ISO 8601): proof that UDP inbound works. */
  firstInboundAt?: string;
  /** That peer's own address; absent for kernel forwarding, whose counters do not say who came. */
  firstInboundFrom?: string;
  /** The UDP public address that peer used. */
  firstInboundVia?: string;
  lastInboundAt?: string;
}

/**
 * Live state of the daemon's tunnels (since 1.3.0), so a check can tell whether peers really arrive.
 * Answers an empty list where no relay runs (e.g. `autostun doctor`).
 */
export interface TunnelActivity {
  tunnels(): Promise<TunnelActivityEntry[]>;
}

/** A downloader a tunnel is set up to push its port to, as a check may see it: never the password. */
export interface ConfiguredDownloader {
  /** The tunnel whose `downloader` settings these are. */
  tunnelId: string;
  /** The adapter kind, e.g. `qbittorrent`. */
  kind: string;
  /** The Web UI / RPC URL without any user name or password in it. */
  url: string;
  /** True when a user name, password, secret or API key is configured (not what it is). */
  hasCredentials: boolean;
  /**
   * True when the tunnel signs in with an API key instead of a user name and password (since 1.6.0,
   * with `DownloaderSettings.apiKey`), so a refusal can name the key; absent means not.
   */
  usesApiKey?: boolean;
}

/** What one attempt to talk to a configured downloader found. */
export interface DownloaderProbeResult {
  /** The client answered at its URL as that kind of client. */
  answered: boolean;
  /** It accepted the configured credentials; undefined when it did not answer or could not be asked. */
  authOk: boolean | undefined;
  /** The client's product name and version, when it told them. */
  client?: string;
  version?: string;
  /** The addresses the URL's host name stands for (the literal address when it is one). */
  addresses: string[];
  /** Why it did not answer or refused, as the adapter said it (no secrets in it). */
  error?: { kind: string; message: string };
  /**
   * Set when the client was not asked this time (since 1.6.0): these very settings were already refused
   * (`by` the tunnel's port push, or by an earlier probe) at `at` (ISO 8601), and every further failed
   * login brings the client's ban of this host closer. Settings saved anew, or a push tried again
   * (`pushDownloaderPort`), make the next probe log in again.
   */
  reused?: { by: "push" | "probe"; at: string };
}

/**
 * The downloaders configured on tunnels (since 1.4.0), and a way to try one with its own credentials
 * without handing them to the caller.
 */
export interface Downloaders {
  list(): Promise<ConfiguredDownloader[]>;
  /**
   * The peers the tunnel's downloader is connected to now (since 1.9.0). `supported` is false when its
   * adapter lists no peers; a failure is in `error`, never thrown.
   */
  peers(
    tunnelId: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ supported: boolean; peers: DownloaderPeer[]; error?: { kind: string; message: string } }>;
  /** Whether the tunnel's downloader accepts IPv6 peers (since 1.9.0); undefined when it cannot tell. */
  ipv6Listening(
    tunnelId: string,
    options?: { signal?: AbortSignal },
  ): Promise<DownloaderIpv6Listening | { error: { kind: string; message: string } } | undefined>;
  /** Has the tunnel's downloader listen on IPv6 too (since 1.9.0); only after the user confirmed it. */
  listenOnIpv6(tunnelId: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Logs in with the tunnel's settings and asks the client who it is; never throws for a bad answer.
   * Settings already refused are not tried again: the answer is that refusal, marked `reused` (since 1.6.0).
   */
  probe(tunnelId: string, options?: { signal?: AbortSignal }): Promise<DownloaderProbeResult>;
}

/** What asking the home router in front of this host for a port mapping found (since 1.5.0). */
export interface UpnpGatewayProbe {
  /** The config's `upnp.enabled`: with false nothing was asked and the rest is empty. */
  enabled: boolean | "auto";
  /** A router answered UPnP IGD, PCP or NAT-PMP. */
  found: boolean;
  protocol?: "upnp" | "pcp" | "nat-pmp";
  /** The router: its UPnP device description URL, or its address for PCP and NAT-PMP. */
  location?: string;
  /** The name the router gives itself (UPnP), when it gives one. */
  name?: string;
  /** This host's address as the router sees it: where a mapping points to. */
  internalClient?: string;
  /** The router's WAN address as it reports it. */
  externalIp?: string;
  /** Why the router could not say its WAN address, when it could not. */
  externalIpError?: string;
  /** A short test mapping of a free port to this host, removed again at once. */
  testMapping?: {
    port: number;
    mapped: boolean;
    /** The router's reason for refusing (e.g. "UPnP error 606 Action not authorized"). */
    error?: string;
    /** The UPnP error or NAT-PMP result code of a refusal; absent when the router did not answer. */
    code?: number;
    /** The test mapping was removed again (false: it stays until its short lease ends). */
    removed?: boolean;
  };
  /**
   * A tunnel's mapping the router holds now (since 1.6.0). With one, the router was neither searched for
   * again nor asked for a test mapping: this mapping already shows that it maps ports to this host.
   */
  liveMapping?: {
    tunnelId: string;
    /** The tunnel's local port, which the router forwards to. */
    port: number;
    externalPort: number;
    /** When the router's lease ends (ISO 8601); absent for a lease without an end. */
    leaseEndsAt?: string;
  };
  /** Each way of finding a router that gave none, and why. */
  tried: string[];
  /**
   * Why the UPnP search (SSDP) could not be sent at all: the socket's error, and the local address and
   * interface it was sent from (since 1.6.0). Absent when the search went out, answered or not.
   */
  searchError?: string;
}

/**
 * The home router in front of this host (since 1.5.0): `probe()` finds it (SSDP on this host's LAN,
 * then PCP and NAT-PMP on the default gateway), asks its WAN address and tries a short mapping. It only talks
 * to this host's own network, and not at all while the config's `upnp.enabled` is false. Since 1.6.0 it
 * answers from a tunnel's live mapping when there is one, and reuses the tunnels' recent router search.
 */
export interface UpnpGateway {
  probe(options?: { signal?: AbortSignal }): Promise<UpnpGatewayProbe>;
}

/** DI tokens of the services an extension may use via `context.services.get(Services.X)`. */
export const Services = {
  StunSettings: token<StunSettings>("StunSettings"),
  SystemFiles: token<SystemFiles>("SystemFiles"),
  CommandRunner: token<CommandRunner>("CommandRunner"),
  NetworkInfo: token<NetworkInfo>("NetworkInfo"),
  HostInfo: token<HostInfo>("HostInfo"),
  TunnelPorts: token<TunnelPorts>("TunnelPorts"),
  TunnelActivity: token<TunnelActivity>("TunnelActivity"),
  Downloaders: token<Downloaders>("Downloaders"),
  UpnpGateway: token<UpnpGateway>("UpnpGateway"),
} as const;
