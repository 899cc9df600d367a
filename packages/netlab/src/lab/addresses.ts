/**
 * The lab's address plan. These addresses exist only inside the lab's namespaces, so
 * parallel labs reuse them without clashing. The WAN side is deliberately outside every
 * private, reserved and documentation range: miniupnpd refuses such external addresses.
 */
export const ADDRESSES = {
  /** LAN subnet behind a NAT router. */
  lanPrefix: 24,
  lanHost: "192.168.77.2",
  lanGateway: "192.168.77.1",
  /** For OPEN the host holds a public address routed (not translated) by the router. */
  openLanHost: "88.77.65.2",
  openLanGateway: "88.77.65.1",
  openLanSubnet: "88.77.65.0/24",
  /** WAN segment shared by the router and the "internet" namespace. */
  wanPrefix: 24,
  routerWan: "88.77.66.1",
  /** Hosts the router's WAN address moves to on `changePublicIp()`, in turn (below the STUN servers). */
  routerWanSpareHosts: { low: 2, high: 9 },
  stunPrimary: "88.77.66.10",
  stunAlternate: "88.77.66.11",
  /** Further WAN addresses (peers) are handed out from here upwards. */
  firstPeerHost: 20,
  wanNetworkBase: "88.77.66.",
  /**
   * Public ports used when the router remaps instead of preserving ports. Linux keeps an
   * inside port that already lies in the range, so it sits below both Linux's ephemeral
   * ports (32768+) and stun-client's (16384+): remapping then really changes the port.
   */
  remapPorts: { low: 10000, high: 15999 },
  stunPort: 3478,
  /**
   * Two-level lab: the home network behind the home router, and the segment between the home router
   * and the ISP's router. That segment looks public on purpose (miniupnpd refuses a private external
   * address), yet it is only routed inside the lab, behind the ISP router's NAT.
   */
  homeLanHost: "192.168.88.2",
  homeLanGateway: "192.168.88.1",
  homeLanPrefix: 24,
  ispLanGateway: "88.77.67.1",
  homeRouterWan: "88.77.67.2",
  ispLanPrefix: 24,
  /** miniupnpd's HTTP port on the home router's LAN side. */
  miniupnpdHttpPort: 5000,
  stunAltPort: 3479,
} as const;

/** Interface names inside the namespaces (namespaces isolate them, so they are fixed). */
export const IFACES = { routerLan: "lan0", routerWan: "wan0", host: "eth0" } as const;
