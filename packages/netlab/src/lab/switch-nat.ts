import { buildRuleset } from "../nat/ruleset.js";
import { runOrThrow } from "../util/run.js";
import { type LabNamespaces, type LabOptions, NAT_TYPES, type NatType } from "./types.js";

/**
 * Checks that a running lab's router can change to `next` in place. OPEN is a different wiring (the
 * LAN host holds a routed public address), so neither switching to it nor away from it is possible.
 */
export function assertNatSwitch(options: Readonly<Required<LabOptions>>, next: unknown): NatType {
  if (!NAT_TYPES.includes(next as NatType)) {
    throw new TypeError(`netlab: setNat needs one of ${NAT_TYPES.join(", ")}; got ${JSON.stringify(next)}`);
  }
  const nat = next as NatType;
  if (options.nat === "OPEN" || nat === "OPEN") {
    throw new Error(
      `netlab: setNat cannot switch ${options.nat} -> ${nat}: an OPEN lab is wired differently (the LAN host holds the public address); build a new lab instead`,
    );
  }
  return nat;
}

/**
 * Reload the router's ruleset with another NAT behaviour on the same WAN address, as a user changing
 * the modem's NAT setting (or an ISP moving the line) would see it: every learned mapping and tracked
 * connection is gone, and new traffic gets the new behaviour.
 */
export async function switchRouterNat(
  ns: LabNamespaces,
  options: Readonly<Required<LabOptions>>,
  nat: NatType,
  publicIp: string,
): Promise<void> {
  const ruleset = buildRuleset({
    nat,
    portPreserving: options.portPreserving,
    tcpSymmetric: options.tcpSymmetric,
    portPool: options.portPool,
    publicIp,
  });
  const inRouter = (args: string[], what: string, input?: string) =>
    runOrThrow("ip", ["netns", "exec", ns.router, ...args], what, input === undefined ? {} : { input });
  await inRouter(["nft", "-f", "-"], `loading the ${nat} ruleset on the router`, ruleset);
  // Old connections keep the NAT decision they were made with; a switch that kept them would lie.
  await inRouter(["conntrack", "-F"], "flushing the router's conntrack table");
}
