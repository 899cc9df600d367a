import { firewall6Table } from "../nat/firewall6.js";
import { runOrThrow } from "../util/run.js";
import { IFACES } from "./addresses.js";
import { ADDRESSES6 } from "./addresses6.js";
import { routerNftables } from "./network.js";
import type { LabNamespaces } from "./types.js";

const LEN = ADDRESSES6.prefixLength;

/**
 * Every static address skips duplicate address detection (`nodad`): a lab owns its links, and a
 * tentative address could not be bound yet, so a server started right after would fail to listen.
 */
function addrLine(ip: string, dev: string): string {
  return `addr add ${ip}/${LEN} dev ${dev} nodad`;
}

function batch(ns: string, lines: string[], what: string): Promise<string> {
  return runOrThrow("ip", ["-n", ns, "-batch", "-"], what, { input: `${lines.join("\n")}\n` });
}

/**
 * Give the already wired lab IPv6: the LAN host a stable global address from the router's /64 and a
 * default route via the router, the router forwarding between its two /64s behind the stateful filter
 * (no NAT), and the WAN namespace the STUN servers' addresses and a route back to the LAN prefix.
 * Only for the one-level lab (the LAN host sits on the router's LAN link).
 */
export async function wireIpv6(ns: LabNamespaces, firewall: boolean): Promise<void> {
  const { routerLan, routerWan, host } = IFACES;
  await Promise.all([
    batch(
      ns.router,
      [addrLine(ADDRESSES6.lanGateway, routerLan), addrLine(ADDRESSES6.routerWan, routerWan)],
      "adding the router's IPv6 addresses",
    ),
    batch(
      ns.lan,
      [addrLine(ADDRESSES6.lanHost, host), `route add default via ${ADDRESSES6.lanGateway} dev ${host}`],
      "giving the LAN host its IPv6 address",
    ),
    batch(
      ns.wan,
      [
        addrLine(ADDRESSES6.stunPrimary, host),
        addrLine(ADDRESSES6.stunAlternate, host),
        `route add ${ADDRESSES6.lanPrefix} via ${ADDRESSES6.routerWan} dev ${host}`,
      ],
      "configuring IPv6 in the WAN namespace",
    ),
    (async () => {
      // The filter goes in before forwarding is switched on, so no packet crosses an unfiltered router.
      await applyFirewall6(ns, firewall);
      await runOrThrow(
        "ip",
        ["netns", "exec", ns.router, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"],
        "enabling IPv6 forwarding on the router",
      );
    })(),
  ]);
}

/** Load (or replace) the router's IPv6 filter; connections it already tracks keep their state. */
export async function applyFirewall6(ns: LabNamespaces, firewall: boolean): Promise<void> {
  await routerNftables(ns)
    .applyTable(firewall6Table(firewall))
    .catch((error: Error) => {
      throw new Error(
        `netlab: loading the router's IPv6 firewall (${firewall ? "on" : "off"}): ${error.message}`,
      );
    });
}

/** Add one more IPv6 address to the WAN side. */
export async function addWanAddress6(ns: LabNamespaces, ip: string): Promise<void> {
  await batch(ns.wan, [addrLine(ip, IFACES.host)], `adding WAN address ${ip}`);
}
