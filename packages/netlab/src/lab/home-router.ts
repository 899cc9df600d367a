import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitForListeners } from "../servers/wait-ready.js";
import { runOrThrow } from "../util/run.js";
import { ADDRESSES, IFACES } from "./addresses.js";
import type { ExecResult, LabHomeRouter, LabHomeRouterInfo, LabNamespaces } from "./types.js";

/** The chain miniupnpd writes its DNAT rules to; tests read it to see which mappings exist. */
export const MINIUPNPD_NAT_CHAIN = "prerouting_miniupnpd";

/**
 * The home router's nftables. miniupnpd 2.3.1 (nftables build) only adds rules to chains that already
 * exist, and Debian's `nft_init.sh` does not run as shipped, so the lab makes them itself: `inet filter`
 * with `miniupnpd` (forward accepts), `prerouting_miniupnpd` (DNAT) and `postrouting_miniupnpd`, each
 * jumped to from a base chain. Inbound traffic that no mapping accepts is dropped, as on a real router.
 */
export function homeRouterRuleset(): string {
  const { routerLan: lan, routerWan: wan } = IFACES;
  return `table inet filter {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "${lan}" accept
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump ${MINIUPNPD_NAT_CHAIN}
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "${wan}" masquerade
  }
  chain ${MINIUPNPD_NAT_CHAIN} {
  }
  chain postrouting_miniupnpd {
  }
}
`;
}

/**
 * miniupnpd's configuration. `secure_mode` lets a host map only to itself, as home routers ship.
 * "deny" keeps UPnP and NAT-PMP answering but refuses every mapping through a permission rule.
 */
export function miniupnpdConfig(upnp: LabHomeRouter["upnp"], dir: string): string {
  const rules =
    upnp === "allow"
      ? [
          `allow 1024-65535 ${ADDRESSES.homeLanHost.replace(/\d+$/, "0")}/${ADDRESSES.homeLanPrefix} 1024-65535`,
        ]
      : [];
  return [
    `ext_ifname=${IFACES.routerWan}`,
    `listening_ip=${IFACES.routerLan}`,
    `port=${ADDRESSES.miniupnpdHttpPort}`,
    "enable_upnp=yes",
    "enable_natpmp=yes",
    "secure_mode=yes",
    "system_uptime=yes",
    // PCP grants at least min_lifetime (default 120 s); short leases let tests see a renewal.
    "min_lifetime=2",
    // Its own file per lab: the compiled-in default is shared by every miniupnpd on the machine.
    `lease_file=${join(dir, "miniupnpd.leases")}`,
    "uuid=6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    ...rules,
    "deny 0-65535 0.0.0.0/0 0-65535",
    "",
  ].join("\n");
}

/** Wire home router <-> LAN host and load the home router's rules (its WAN side is wired with the router). */
export async function wireHomeRouter(ns: LabNamespaces): Promise<void> {
  const home = ns.home;
  if (!home) throw new Error("netlab: wireHomeRouter needs the lab's home namespace");
  const { routerLan, host } = IFACES;
  const cidr = `/${ADDRESSES.homeLanPrefix}`;
  const batch = (target: string, lines: string[], what: string) =>
    runOrThrow("ip", ["-n", target, "-batch", "-"], what, { input: `${lines.join("\n")}\n` });
  await batch(
    home,
    [
      `link add ${routerLan} type veth peer name ${host} netns ${ns.lan}`,
      `addr add ${ADDRESSES.homeLanGateway}${cidr} dev ${routerLan}`,
      `link set ${routerLan} up`,
    ],
    "wiring the home router's LAN side",
  );
  await batch(
    ns.lan,
    [
      "link set lo up",
      `addr add ${ADDRESSES.homeLanHost}${cidr} dev ${host}`,
      `link set ${host} up`,
      `route add default via ${ADDRESSES.homeLanGateway}`,
    ],
    "configuring the LAN namespace behind the home router",
  );
  await runOrThrow(
    "ip",
    ["netns", "exec", home, "sysctl", "-qw", "net.ipv4.ip_forward=1"],
    "enabling forwarding on the home router",
  );
  await runOrThrow("ip", ["netns", "exec", home, "nft", "-f", "-"], "loading the home router's nftables", {
    input: homeRouterRuleset(),
  });
}

type Spawn = (ns: string, file: string, args: readonly string[]) => ChildProcess;
type Exec = (ns: string, file: string, args: readonly string[]) => Promise<ExecResult>;

/**
 * Start miniupnpd in the home router (in the foreground, so the lab's teardown stops it) and wait
 * until it answers: HTTP for UPnP on the LAN side and UDP 5351 for NAT-PMP/PCP.
 */
export async function startMiniupnpd(
  ns: LabNamespaces,
  upnp: LabHomeRouter["upnp"],
  dir: string,
  spawn: Spawn,
  exec: Exec,
): Promise<LabHomeRouterInfo> {
  const home = ns.home;
  if (!home) throw new Error("netlab: startMiniupnpd needs the lab's home namespace");
  const config = join(dir, "miniupnpd.conf");
  await writeFile(config, miniupnpdConfig(upnp, dir));
  const child = spawn(home, "miniupnpd", ["-d", "-f", config, "-P", join(dir, "miniupnpd.pid")]);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    // Enough to explain a failure; miniupnpd logs every request in the foreground.
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const log = () => lines.join("\n");
  await waitForListeners(
    (file, args) => exec(home, file, args),
    {
      tcp: [`*%${IFACES.routerLan}:${ADDRESSES.miniupnpdHttpPort}`],
      udp: [`${ADDRESSES.homeLanGateway}:5351`],
    },
    {
      name: "miniupnpd on the home router",
      child,
      describe: async () =>
        `${log()}\n(is Debian's miniupnpd-nftables installed? netlab's LAB_APT_PACKAGES lists it)`,
    },
  );
  return {
    lanIp: ADDRESSES.homeLanGateway,
    wanIp: ADDRESSES.homeRouterWan,
    descriptionUrl: `http://${ADDRESSES.homeLanGateway}:${ADDRESSES.miniupnpdHttpPort}/rootDesc.xml`,
    natChain: MINIUPNPD_NAT_CHAIN,
    log,
  };
}
