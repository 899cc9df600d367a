/**
 * The lab's IPv6 plan (only with the `ipv6` option). Like the IPv4 WAN side these are global unicast
 * addresses outside every documentation and special-purpose range, because the software under test
 * (and miniupnpd) treats documentation or ULA space as "not really public"; they exist only inside
 * the lab's namespaces, so parallel labs reuse them. No NAT: the LAN /64 is routed by the router.
 */
export const ADDRESSES6 = {
  /** The LAN's /64, delegated to the router (what an ISP hands a home line). */
  lanPrefix: "2a0b:8877:77::/64",
  lanHost: "2a0b:8877:77::2",
  lanGateway: "2a0b:8877:77::1",
  /** The link between the router and the "internet" namespace. */
  wanPrefix: "2a0b:8877:66::/64",
  routerWan: "2a0b:8877:66::1",
  stunPrimary: "2a0b:8877:66::10",
  stunAlternate: "2a0b:8877:66::11",
  /** Further WAN addresses (peers) get this base plus a hex host number, from `firstPeerHost` up. */
  wanNetworkBase: "2a0b:8877:66::",
  firstPeerHost: 0x20,
  lastPeerHost: 0xffff,
  prefixLength: 64,
  /**
   * Two-level lab: the link between the ISP's router and the home router. The ISP's router routes the
   * LAN /64 to the home router's WAN address; the home router holds `lanGateway` on its LAN side.
   */
  ispLinkPrefix: "2a0b:8877:67::/64",
  ispLanGateway: "2a0b:8877:67::1",
  homeRouterWan: "2a0b:8877:67::2",
} as const;

/** `[ip]:port`, the form STUN server lists and `ss` use for IPv6. */
export function bracketed(ip: string, port: number): string {
  return `[${ip}]:${port}`;
}
