import { buildRuleset } from "../nat/ruleset.js";
import { runOrThrow } from "../util/run.js";
import { ADDRESSES, IFACES } from "./addresses.js";
import type { LabNamespaces, LabOptions } from "./types.js";

/**
 * The next WAN address for the router: hosts from `routerWanSpareHosts`, in turn, never the one it
 * holds now. They share the WAN subnet, so the WAN hosts reach the new address without a route change.
 */
export function nextRouterWanIp(current: string, turn: number): string {
  const { low, high } = ADDRESSES.routerWanSpareHosts;
  const count = high - low + 1;
  for (let i = 0; i <= count; i++) {
    const ip = `${ADDRESSES.wanNetworkBase}${low + ((turn + i) % count)}`;
    if (ip !== current) return ip;
  }
  throw new Error(`netlab: no spare WAN address for the router besides ${current}`);
}

/**
 * Give the router a new WAN address the way an ISP's reconnect does: the old address disappears,
 * every mapping and tracked connection is gone, and new traffic leaves from the new address with the
 * same NAT behaviour.
 */
export async function moveRouterWanAddress(
  ns: LabNamespaces,
  options: Readonly<Required<LabOptions>>,
  from: string,
  to: string,
): Promise<void> {
  if (options.nat === "OPEN") {
    throw new Error(
      "netlab: changePublicIp needs a NAT router; in an OPEN lab the LAN host holds the public address itself",
    );
  }
  const inRouter = (args: string[], what: string, input?: string) =>
    runOrThrow("ip", ["netns", "exec", ns.router, ...args], what, input === undefined ? {} : { input });
  const wan = IFACES.routerWan;
  const prefix = ADDRESSES.wanPrefix;
  // Without this, deleting the primary address would take the new (secondary) one with it.
  await inRouter(["sysctl", "-qw", `net.ipv4.conf.${wan}.promote_secondaries=1`], "keeping secondaries");
  await inRouter(["ip", "addr", "add", `${to}/${prefix}`, "dev", wan], `adding router WAN address ${to}`);
  await inRouter(
    ["ip", "addr", "del", `${from}/${prefix}`, "dev", wan],
    `removing router WAN address ${from}`,
  );
  // The ruleset names the SNAT address; reloading it also empties the learned maps, as a reboot would.
  const ruleset = buildRuleset({
    nat: options.nat,
    portPreserving: options.portPreserving,
    tcpSymmetric: options.tcpSymmetric,
    portPool: options.portPool,
    publicIp: to,
  });
  await inRouter(["nft", "-f", "-"], `reloading the ${options.nat} ruleset for ${to}`, ruleset);
  await inRouter(["conntrack", "-F"], "flushing the router's conntrack table");
  // WAN hosts would otherwise keep sending to the old address's MAC until their neighbour entry ages.
  await runOrThrow("ip", ["-n", ns.wan, "neigh", "flush", "dev", IFACES.host], "flushing WAN neighbours");
}
