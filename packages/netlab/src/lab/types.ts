import type { ChildProcess } from "node:child_process";

/** The NAT behaviours the lab's router can emulate (names as in the `nat.type` check). */
export type NatType = "NAT1" | "NAT2" | "NAT3" | "NAT4" | "OPEN" | "UDP_BLOCKED";

/** All NAT types, in the order tests usually walk them. */
export const NAT_TYPES: readonly NatType[] = ["NAT1", "NAT2", "NAT3", "NAT4", "OPEN", "UDP_BLOCKED"];

/** Which STUN server runs in the WAN namespace. */
export type LabStunServer = "ours" | "coturn" | "none";

/** Random loss on the router, in whole percent per protocol, each packet dropped on its own draw. */
export interface LabLoss {
  udp?: number;
  tcp?: number;
}

/**
 * A home router between the LAN host and the ISP's router (the two-level lab): it runs real miniupnpd
 * (UPnP IGD and NAT-PMP/PCP on its LAN side) and masquerades to the ISP's router, which does `nat`.
 * `upnp: "deny"` makes miniupnpd refuse every mapping (its `deny` permission rule), as a router with
 * UPnP switched to "refuse" would.
 */
export interface LabHomeRouter {
  upnp: "allow" | "deny";
}

/**
 * A block of public ports the router hands out, as a port-block carrier-grade NAT does for one
 * subscriber: ports `first` to `first + size - 1`. `random: true` picks each new mapping's port at
 * random within the block (the kernel's `random` SNAT flag), so an inside port that happens to lie
 * in the block is not kept either; `false` leaves Linux's choice (keep the inside port when it is in
 * the block and free, else the next free one from a hashed start).
 */
export interface LabPortPool {
  first: number;
  size: number;
  random: boolean;
}

/**
 * The carrier-grade NAT preset: 1,024 public ports (20480–21503), allocated at random. With `nat: "NAT1"`
 * it is still full-cone: one public port per inside endpoint, open to anyone.
 */
export const CGNAT_1024_POOL: Readonly<LabPortPool> = Object.freeze({
  first: 20480,
  size: 1024,
  random: true,
});

/**
 * IPv6 for the lab (the `ipv6` option): the LAN host gets a global address from the router's /64, the
 * router routes it without NAT, and `firewall: true` makes the router drop new inbound IPv6 from the WAN
 * (a home modem's default stateful firewall), `false` forwards everything. In the two-level lab the
 * home router is that router (the ISP's router only routes), and miniupnpd's pinholes open its filter.
 */
export interface LabIpv6 {
  firewall: boolean;
}

/** The lab's IPv6 addresses, when it was built with `ipv6`. */
export interface LabIpv6Info {
  /** The LAN host's stable global address. */
  readonly lanIp: string;
  /**
   * The global address of the LAN host's IPv6 default gateway: the router's on the LAN link, or the
   * home router's in a two-level lab.
   */
  readonly lanGatewayIp: string;
  /** The /64 the router routes to the LAN, e.g. `2a0b:8877:77::/64`. */
  readonly lanPrefix: string;
  /** The router's address on the WAN link (the ISP's router in a two-level lab). */
  readonly routerWanIp: string;
  /** Two-level lab: the home router's address towards the ISP's router (where the LAN's /64 is routed). */
  readonly homeRouterWanIp?: string;
  /** The two WAN addresses our STUN server answers on over IPv6. */
  readonly wanServerIps: { readonly primary: string; readonly alternate: string };
  /** Whether the router's stateful filter currently drops new inbound IPv6 ({@link Lab.setIpv6Firewall}). */
  readonly firewall: boolean;
}

/** What `createLab` should build. */
export interface LabOptions {
  /** Router behaviour. */
  nat: NatType;
  /**
   * Keep the inside source port as the public port when it is free (default true).
   * False makes the router pick ports from a fixed range (`snat to A:lo-hi`), so the
   * public port differs from the inside one while the mapping stays what `nat` says.
   */
  portPreserving?: boolean;
  /** STUN server to start in the WAN namespace (default "ours"). */
  stun?: LabStunServer;
  /**
   * Give TCP a symmetric mapping (a new random public port per connection) while UDP keeps `nat`'s
   * behaviour: the gateway that passes a UDP-only NAT test but fails BitTorrent peers. Default false.
   */
  tcpSymmetric?: boolean;
  /**
   * Drop this share of forwarded packets at random, per protocol, in both directions (e.g. `{ udp: 30 }`):
   * a lossy path without netem. Default: no loss. {@link Lab.setLoss} changes it on a running lab.
   */
  loss?: LabLoss;
  /**
   * Put a home router with miniupnpd between the LAN host and the (ISP's) router. Default false: the
   * LAN host sits directly behind the router. Then `lanIp`/`lanGatewayIp` are the home network's, and
   * `homeRouter` on the lab names the home router's addresses.
   */
  homeRouter?: LabHomeRouter | false;
  /**
   * Hand out public ports from this block instead of the remapping range 10000–15999 (e.g.
   * {@link CGNAT_1024_POOL}). Implies `portPreserving: false` (setting it true as well is refused);
   * `nat` keeps deciding mapping and filtering. Not for OPEN. Default false: the usual router.
   */
  portPool?: LabPortPool | false;
  /**
   * Add IPv6 (see {@link LabIpv6}). Default false: no global IPv6 address and no IPv6 route anywhere in
   * the lab (the kernel's link-local addresses only), so "no IPv6 on this host" can be tested. With
   * `homeRouter` the ISP's router routes the LAN /64 to the home router, which holds the stateful filter
   * and lets miniupnpd open pinholes in it.
   */
  ipv6?: LabIpv6 | false;
}

/** Outcome of a command run inside a namespace; a non-zero exit does not throw. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link Lab.exec}. */
export interface LabExecOptions {
  /** Text written to the command's standard input. */
  input?: string;
  /** Kill the command after this many milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Names of the three namespaces of one lab. */
export interface LabNamespaces {
  /** The user's host behind the router. */
  lan: string;
  /** The NAT gateway. */
  router: string;
  /** The internet: STUN servers and peers. */
  wan: string;
  /** The home router between the LAN host and `router` (only with the `homeRouter` option). */
  home?: string;
}

/** The home router of a two-level lab and how to reach its miniupnpd. */
export interface LabHomeRouterInfo {
  /** Its address on the home LAN (the LAN host's default gateway). */
  readonly lanIp: string;
  /** Its address towards the ISP's router: the external address miniupnpd reports. */
  readonly wanIp: string;
  /** miniupnpd's UPnP device description, e.g. `http://192.168.88.1:5000/rootDesc.xml`. */
  readonly descriptionUrl: string;
  /** The nftables chain miniupnpd writes its DNAT rules to (`inet filter`). */
  readonly natChain: string;
  /** The forward chain miniupnpd writes its accept rules to, IPv6 pinholes included (`inet filter`). */
  readonly filterChain: string;
  /** With `ipv6`: its global address on the home LAN (the LAN host's IPv6 default gateway). */
  readonly lanIp6?: string;
  /** With `ipv6`: its address towards the ISP's router, where the ISP routes the LAN's /64. */
  readonly wanIp6?: string;
  /** With `ipv6`: the device description over IPv6, e.g. `http://[2a0b:8877:77::1]:5000/rootDesc.xml`. */
  readonly descriptionUrl6?: string;
  /** The IPv6 pinholes miniupnpd holds now, read from its forward chain. */
  pinholes(): Promise<LabPinholeRule[]>;
  /** Lines miniupnpd has printed so far (for failure messages). */
  log(): string;
}

/** One IPv6 pinhole as miniupnpd wrote it to the home router's forward chain. */
export interface LabPinholeRule {
  /** The inside address it lets traffic in to. */
  address: string;
  transport: "TCP" | "UDP";
  port: number;
  /** The UPnP UniqueID miniupnpd gave it (from the rule's label). */
  id?: number;
  /** When its lease ends (from the rule's label, whole seconds). */
  leaseEndsAt?: Date;
  /**
   * Its description in the label: "IGD2 pinhole" for UPnP, "PCP MAP <nonce>" for PCP; miniupnpd 2.3.1
   * drops it when it renews the pinhole (then "").
   */
  description: string;
  /** The rule as `nft list` prints it. */
  rule: string;
}

/** A running NAT lab. Everything it created goes away with {@link Lab.teardown}. */
export interface Lab {
  /** Unique id of this lab, part of every namespace name. */
  readonly id: string;
  readonly options: Readonly<Required<LabOptions>>;
  readonly namespaces: LabNamespaces;
  /** Address of the LAN host (inside the LAN namespace; behind the home router in a two-level lab). */
  readonly lanIp: string;
  /** The router's address on the LAN side (the host's default gateway). */
  readonly lanGatewayIp: string;
  /** The router's own address on the WAN side. */
  readonly routerWanIp: string;
  /**
   * The address a WAN server sees for traffic from the LAN host: the router's WAN
   * address behind a NAT, the host's own address for OPEN.
   */
  readonly publicIp: string;
  /** The home router and its miniupnpd, when the lab was built with `homeRouter`. */
  readonly homeRouter: LabHomeRouterInfo | undefined;
  /** The two WAN addresses the STUN servers listen on. */
  readonly wanServerIps: { readonly primary: string; readonly alternate: string };
  /** Primary and alternate STUN ports. */
  readonly stunPorts: { readonly port: number; readonly altPort: number };
  /**
   * "ip:port" lists ready to drop into an AutoSTUN config (empty when no server runs). With `ipv6`,
   * `udp6`/`tcp6` list our server's two IPv6 addresses as "[ip]:port" (absent without `ipv6`).
   */
  readonly stunServers: {
    readonly udp: readonly string[];
    readonly tcp: readonly string[];
    readonly udp6?: readonly string[];
    readonly tcp6?: readonly string[];
  };
  /** The lab's IPv6 addresses and firewall state, when built with `ipv6`. */
  readonly ipv6: LabIpv6Info | undefined;
  /** Run a command to completion inside a namespace. */
  exec(ns: string, file: string, args?: readonly string[], opts?: LabExecOptions): Promise<ExecResult>;
  /**
   * Start a long-running command inside a namespace; it is killed on teardown. Its stdout
   * and stderr are pipes: read them, or `resume()` them for a chatty program, or it blocks.
   */
  spawn(
    ns: string,
    file: string,
    args?: readonly string[],
    opts?: { env?: Record<string, string> },
  ): ChildProcess;
  /**
   * Wait until sockets listen inside a namespace, given as "ip:port" (a wildcard listener
   * counts for any ip). Throws, naming what is missing, after `timeoutMs` (default 5 000).
   */
  waitForListening(
    ns: string,
    sockets: { udp?: readonly string[]; tcp?: readonly string[] },
    timeoutMs?: number,
  ): Promise<void>;
  /**
   * Make the router forget every mapping, as a reboot would: its conntrack table and the
   * learned NAT maps are flushed. The next outbound packet gets a fresh mapping (a new
   * public port when the router remaps), and inbound traffic to old mappings is refused.
   */
  resetMappings(): Promise<void>;
  /**
   * Move the router to a new WAN address, as an ISP reconnect does: the old address is gone, every
   * mapping and tracked connection with it, and new outbound traffic leaves from the new address
   * with the same NAT behaviour. `routerWanIp` and `publicIp` follow. Returns the new address.
   * Not for OPEN labs (there the host holds the public address).
   */
  changePublicIp(): Promise<string>;
  /**
   * Switch the router to another NAT behaviour in place (e.g. NAT3 -> NAT1, as after the user fixed the
   * modem's settings): same WAN address, the ruleset reloaded, every mapping and tracked connection
   * gone. `options.nat` follows. Not to or from OPEN, which is wired differently.
   */
  setNat(nat: NatType): Promise<void>;
  /**
   * Replace the router's random loss (`{}` for none), e.g. to measure one lab with and without loss.
   * Mappings and tracked connections are kept.
   */
  setLoss(loss: LabLoss): Promise<void>;
  /** Add one more address to the WAN namespace (a "peer" on the internet) and return it. */
  addWanAddress(): Promise<string>;
  /** Add one more IPv6 address to the WAN namespace (a peer) and return it. Only with `ipv6`. */
  addWanAddress6(): Promise<string>;
  /**
   * Turn the router's stateful IPv6 firewall on or off in place, as a user changing the modem's setting
   * would. Connections it already tracks are kept. Only with `ipv6`.
   */
  setIpv6Firewall(on: boolean): Promise<void>;
  /**
   * Write an AutoSTUN YAML config pointing at this lab's STUN servers into a temporary
   * folder (removed on teardown) and return its path. `extra` keys are merged on top.
   */
  writeConfig(extra?: Record<string, unknown>): Promise<string>;
  /** Kill every process in the lab and delete its namespaces and files. Safe to call twice. */
  teardown(): Promise<void>;
}
