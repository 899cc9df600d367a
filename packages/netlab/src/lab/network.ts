import { Nftables } from "@autostun/netfilter";
import { createCommandRunner } from "@autostun/probes";
import { routerTable } from "../nat/ruleset.js";
import { runOrThrow } from "../util/run.js";
import { ADDRESSES, IFACES } from "./addresses.js";
import type { LabNamespaces, LabPortPool, NatType } from "./types.js";

/** Addresses that depend on the NAT type. */
export interface NetworkPlan {
  nat: NatType;
  portPreserving: boolean;
  tcpSymmetric: boolean;
  /** The block of public ports a remapping router hands out (false: the usual range). */
  portPool: LabPortPool | false;
  lanIp: string;
  lanGatewayIp: string;
  /** A home router sits between the LAN host and the router (the two-level lab). */
  homeRouter: boolean;
}

/** OPEN puts a routed public subnet on the LAN; everything else a private one behind NAT. */
export function planNetwork(
  nat: NatType,
  portPreserving: boolean,
  tcpSymmetric = false,
  homeRouter = false,
  portPool: LabPortPool | false = false,
): NetworkPlan {
  const open = nat === "OPEN";
  if (homeRouter) {
    const lan = { lanIp: ADDRESSES.homeLanHost, lanGatewayIp: ADDRESSES.homeLanGateway };
    return { nat, portPreserving, tcpSymmetric, portPool, ...lan, homeRouter };
  }
  return {
    nat,
    portPreserving,
    tcpSymmetric,
    portPool,
    lanIp: open ? ADDRESSES.openLanHost : ADDRESSES.lanHost,
    lanGatewayIp: open ? ADDRESSES.openLanGateway : ADDRESSES.lanGateway,
    homeRouter,
  };
}

/**
 * What hangs off the router's LAN side: the LAN host itself, or (two-level lab) the home router's WAN
 * side, whose own LAN `home-router.ts` wires.
 */
function belowRouter(ns: LabNamespaces, plan: NetworkPlan) {
  if (plan.homeRouter && ns.home)
    return {
      ns: ns.home,
      iface: IFACES.routerWan,
      ip: ADDRESSES.homeRouterWan,
      gateway: ADDRESSES.ispLanGateway,
      cidr: `/${ADDRESSES.ispLanPrefix}`,
    };
  return {
    ns: ns.lan,
    iface: IFACES.host,
    ip: plan.lanIp,
    gateway: plan.lanGatewayIp,
    cidr: `/${ADDRESSES.lanPrefix}`,
  };
}

function batch(ns: string | undefined, lines: string[], what: string): Promise<string> {
  const args = ns ? ["-n", ns, "-batch", "-"] : ["-batch", "-"];
  return runOrThrow("ip", args, what, { input: `${lines.join("\n")}\n` });
}

/** Create the three namespaces (first, so a failure later still has something to tear down). */
export async function addNamespaces(ns: LabNamespaces): Promise<void> {
  await batch(
    undefined,
    Object.values(ns).map((name) => `netns add ${name}`),
    "creating namespaces",
  );
}

/** Wire LAN <-> router <-> WAN with veth pairs, address them, route, and load the NAT rules. */
export async function wireNetwork(ns: LabNamespaces, plan: NetworkPlan): Promise<void> {
  const { routerLan, routerWan, host } = IFACES;
  const below = belowRouter(ns, plan);
  const wanCidr = `/${ADDRESSES.wanPrefix}`;
  await batch(
    ns.router,
    [
      "link set lo up",
      `link add ${routerLan} type veth peer name ${below.iface} netns ${below.ns}`,
      `link add ${routerWan} type veth peer name ${host} netns ${ns.wan}`,
      `addr add ${below.gateway}${below.cidr} dev ${routerLan}`,
      `addr add ${ADDRESSES.routerWan}${wanCidr} dev ${routerWan}`,
      `link set ${routerLan} up`,
      `link set ${routerWan} up`,
    ],
    "wiring the router namespace",
  );
  const table = routerTable({
    nat: plan.nat,
    portPreserving: plan.portPreserving,
    tcpSymmetric: plan.tcpSymmetric,
    portPool: plan.portPool,
    publicIp: ADDRESSES.routerWan,
  });
  await Promise.all([
    batch(
      below.ns,
      [
        "link set lo up",
        `addr add ${below.ip}${below.cidr} dev ${below.iface}`,
        `link set ${below.iface} up`,
        `route add default via ${below.gateway}`,
      ],
      below.ns === ns.lan ? "configuring the LAN namespace" : "configuring the home router's WAN side",
    ),
    batch(
      ns.wan,
      [
        "link set lo up",
        `addr add ${ADDRESSES.stunPrimary}${wanCidr} dev ${host}`,
        `addr add ${ADDRESSES.stunAlternate}${wanCidr} dev ${host}`,
        `link set ${host} up`,
        // Only OPEN exposes the LAN subnet to the internet; NATed LANs stay unreachable.
        ...(plan.nat === "OPEN" ? [`route add ${ADDRESSES.openLanSubnet} via ${ADDRESSES.routerWan}`] : []),
      ],
      "configuring the WAN namespace",
    ),
    (async () => {
      await runOrThrow(
        "ip",
        ["netns", "exec", ns.router, "sysctl", "-qw", "net.ipv4.ip_forward=1"],
        "enabling forwarding on the router",
      );
      await routerNftables(ns)
        .applyTable(table)
        .catch((error: Error) => {
          throw new Error(`netlab: loading the ${plan.nat} ruleset: ${error.message}`);
        });
    })(),
  ]);
}

/**
 * Wait until every veth end reports carrier. `ip link set up` returns before the kernel brings the
 * link up; until it does, a process in the LAN sees no interface address (only `lo`), so for example an
 * OPEN host would not recognise its own public address.
 */
export async function waitForLinks(ns: LabNamespaces, timeoutMs = 3000): Promise<void> {
  const links: [string, string][] = [
    [ns.lan, IFACES.host],
    [ns.wan, IFACES.host],
    [ns.router, IFACES.routerLan],
    [ns.router, IFACES.routerWan],
    ...(ns.home
      ? ([
          [ns.home, IFACES.routerLan],
          [ns.home, IFACES.routerWan],
        ] as [string, string][])
      : []),
  ];
  const deadline = Date.now() + timeoutMs;
  for (const [namespace, link] of links) {
    for (;;) {
      const out = await runOrThrow(
        "ip",
        ["-n", namespace, "-o", "link", "show", "dev", link],
        `reading ${link}`,
      );
      if (/[<,]LOWER_UP[,>]/.test(out)) break;
      if (Date.now() > deadline)
        throw new Error(`link ${link} in ${namespace} did not come up within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Add one more address to the WAN side. */
export async function addWanAddress(ns: LabNamespaces, ip: string): Promise<void> {
  await runOrThrow(
    "ip",
    ["-n", ns.wan, "addr", "add", `${ip}/${ADDRESSES.wanPrefix}`, "dev", IFACES.host],
    `adding WAN address ${ip}`,
  );
}

/** nftables of the lab's router namespace. */
export function routerNftables(ns: LabNamespaces): Nftables {
  return new Nftables(createCommandRunner({ netns: ns.router, defaultTimeoutMs: 30_000 }));
}
