import type { TableSpec } from "@autostun/netfilter";
import { IFACES } from "../lab/addresses.js";

/** The router's IPv6 filter table; separate from `ip lab` so NAT switches never touch it. */
export const FIREWALL6_TABLE = { family: "ip6", name: "lab6" } as const;

/**
 * The router's IPv6 forwarding filter. On, it is a home modem's default stateful firewall: replies to
 * what the LAN started (and the ICMPv6 errors tied to it) come in, anything new from the WAN side is
 * dropped, everything outbound passes. Off, it forwards everything; the chain stays so that
 * inspection and switching find the same table either way.
 */
export function firewall6Table(firewall: boolean): TableSpec {
  const rules = firewall
    ? ["ct state established,related accept", "ct state invalid drop", `iifname "${IFACES.routerWan}" drop`]
    : [];
  return {
    table: FIREWALL6_TABLE,
    chains: [{ name: "forward", hook: { type: "filter", hook: "forward", priority: "filter" }, rules }],
  };
}
