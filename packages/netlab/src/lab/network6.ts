import { firewall6Table } from "../nat/firewall6.js";
import { runOrThrow } from "../util/run.js";
import { IFACES } from "./addresses.js";
import { ADDRESSES6 } from "./addresses6.js";
import { homeIpv6FirewallScript } from "./home-router.js";
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

function enableForwarding6(ns: string, what: string): Promise<string> {
  return runOrThrow("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"], what);
}

/**
 * Give the already wired lab IPv6: the LAN host a stable global address from the router's /64 and a
 * default route via the router, the router forwarding between its two /64s behind the stateful filter
 * (no NAT), and the WAN namespace the STUN servers' addresses and a route back to the LAN prefix.
 * In the two-level lab the home router takes the router's place towards the LAN, and the ISP's router
 * routes the LAN's /64 to the home router's WAN address.
 */
export async function wireIpv6(ns: LabNamespaces, firewall: boolean): Promise<void> {
  const { routerLan, routerWan, host } = IFACES;
  const home = ns.home;
  const lanGateway = ADDRESSES6.lanGateway;
  await Promise.all([
    batch(
      ns.router,
      home
        ? [
            addrLine(ADDRESSES6.ispLanGateway, routerLan),
            addrLine(ADDRESSES6.routerWan, routerWan),
            `route add ${ADDRESSES6.lanPrefix} via ${ADDRESSES6.homeRouterWan} dev ${routerLan}`,
          ]
        : [addrLine(lanGateway, routerLan), addrLine(ADDRESSES6.routerWan, routerWan)],
      "adding the router's IPv6 addresses",
    ),
    batch(
      ns.lan,
      [addrLine(ADDRESSES6.lanHost, host), `route add default via ${lanGateway} dev ${host}`],
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
      // Two-level: the ISP's router routes everything (its table stays, open, for inspection); the home
      // router's filter was loaded with its ruleset, before this.
      await applyFirewall6(ns, home ? false : firewall, true);
      await enableForwarding6(ns.router, "enabling IPv6 forwarding on the router");
    })(),
    ...(home
      ? [
          (async () => {
            await batch(
              home,
              [
                addrLine(lanGateway, routerLan),
                addrLine(ADDRESSES6.homeRouterWan, routerWan),
                `route add default via ${ADDRESSES6.ispLanGateway} dev ${routerWan}`,
              ],
              "giving the home router its IPv6 addresses",
            );
            await enableForwarding6(home, "enabling IPv6 forwarding on the home router");
          })(),
        ]
      : []),
  ]);
}

/**
 * Load (or replace) the IPv6 filter: the router's, or the home router's in a two-level lab (unless
 * `routerOnly`). Connections it already tracks keep their state.
 */
export async function applyFirewall6(
  ns: LabNamespaces,
  firewall: boolean,
  routerOnly = false,
): Promise<void> {
  const what = `(${firewall ? "on" : "off"})`;
  if (ns.home && !routerOnly) {
    await runOrThrow(
      "ip",
      ["netns", "exec", ns.home, "nft", "-f", "-"],
      `switching the home router's IPv6 firewall ${what}`,
      { input: homeIpv6FirewallScript(firewall) },
    );
    return;
  }
  await routerNftables(ns)
    .applyTable(firewall6Table(firewall))
    .catch((error: Error) => {
      throw new Error(`netlab: loading the router's IPv6 firewall ${what}: ${error.message}`);
    });
}

/** Add one more IPv6 address to the WAN side. */
export async function addWanAddress6(ns: LabNamespaces, ip: string): Promise<void> {
  await batch(ns.wan, [addrLine(ip, IFACES.host)], `adding WAN address ${ip}`);
}
