import type { ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitForListeners } from "../servers/wait-ready.js";
import { runOrThrow } from "../util/run.js";
import { ADDRESSES, IFACES } from "./addresses.js";
import { ADDRESSES6 } from "./addresses6.js";
import type {
  ExecResult,
  LabHomeRouter,
  LabHomeRouterInfo,
  LabIpv6,
  LabNamespaces,
  LabPinholeRule,
} from "./types.js";

/** The chain miniupnpd writes its DNAT rules to; tests read it to see which mappings exist. */
export const MINIUPNPD_NAT_CHAIN = "prerouting_miniupnpd";
/** miniupnpd's IPv6 lease file, in the lab's own folder like the IPv4 one (the default is machine-wide). */
const LEASE_FILE6 = "miniupnpd.leases6";
/** The forward chain miniupnpd writes its accept rules to, IPv6 pinholes included (`inet filter`). */
export const MINIUPNPD_FILTER_CHAIN = "miniupnpd";
/**
 * The home router's switch for unsolicited inbound IPv6 (two-level lab with `ipv6`): empty while the
 * firewall is on, one accept rule while it is off. Jumped to last, after the pinholes.
 */
export const HOME_IPV6_INBOUND_CHAIN = "ipv6_inbound";

/**
 * The home router's nftables. miniupnpd 2.3.1 (nftables build) only adds rules to chains that already
 * exist, and Debian's `nft_init.sh` does not run as shipped, so the lab makes them itself: `inet filter`
 * with `miniupnpd` (forward accepts), `prerouting_miniupnpd` (DNAT) and `postrouting_miniupnpd`, each
 * jumped to from a base chain. Inbound traffic that no mapping accepts is dropped, as on a real router.
 */
export function homeRouterRuleset(ipv6?: LabIpv6): string {
  const { routerLan: lan, routerWan: wan } = IFACES;
  // An inet table's masquerade would also translate IPv6, which a home router routes untouched.
  const v4only = ipv6 ? "meta nfproto ipv4 " : "";
  const inbound = ipv6
    ? `    jump ${HOME_IPV6_INBOUND_CHAIN}
  }
  chain ${HOME_IPV6_INBOUND_CHAIN} {
${ipv6InboundRules(ipv6.firewall)
  .map((rule) => `    ${rule}\n`)
  .join("")}`
    : "";
  return `table inet filter {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "${lan}" accept
    jump ${MINIUPNPD_FILTER_CHAIN}
${inbound}  }
  chain ${MINIUPNPD_FILTER_CHAIN} {
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump ${MINIUPNPD_NAT_CHAIN}
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    ${v4only}oifname "${wan}" masquerade
  }
  chain ${MINIUPNPD_NAT_CHAIN} {
  }
  chain postrouting_miniupnpd {
  }
}
`;
}

/** What the inbound IPv6 switch holds: nothing with the firewall on (the policy drops), an accept without. */
function ipv6InboundRules(firewall: boolean): string[] {
  return firewall ? [] : ["meta nfproto ipv6 accept"];
}

/**
 * Turn the home router's IPv6 firewall on or off in place: one nft transaction, so no packet sees the
 * switch half-done, and tracked connections keep their state.
 */
export function homeIpv6FirewallScript(firewall: boolean): string {
  const chain = `inet filter ${HOME_IPV6_INBOUND_CHAIN}`;
  return [
    `flush chain ${chain}`,
    ...ipv6InboundRules(firewall).map((rule) => `add rule ${chain} ${rule}`),
    "",
  ].join("\n");
}

/**
 * miniupnpd's configuration. `secure_mode` lets a host map only to itself, as home routers ship.
 * "deny" keeps UPnP and NAT-PMP answering but refuses every mapping through a permission rule.
 */
export function miniupnpdConfig(upnp: LabHomeRouter["upnp"], dir: string, ipv6 = false): string {
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
    // IPv6 stays on (the build's default) once the LAN side holds a global address: miniupnpd then offers
    // WANIPv6FirewallControl and PCP over IPv6, and writes pinholes as accept rules to its forward chain.
    // Without such an address it switches IPv6 off by itself ("no HTTP IPv6 address").
    ...(ipv6 ? ["ipv6_disable=no", `lease_file6=${join(dir, LEASE_FILE6)}`] : []),
    "uuid=6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    ...rules,
    "deny 0-65535 0.0.0.0/0 0-65535",
    "",
  ].join("\n");
}

/** Wire home router <-> LAN host and load the home router's rules (its WAN side is wired with the router). */
export async function wireHomeRouter(ns: LabNamespaces, ipv6?: LabIpv6): Promise<void> {
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
    input: homeRouterRuleset(ipv6),
  });
}

type Spawn = (ns: string, file: string, args: readonly string[]) => ChildProcess;
type Exec = (ns: string, file: string, args: readonly string[]) => Promise<ExecResult>;

/** 32 hex digits (`nft`'s raw payload match) as an IPv6 address in its usual short form. */
function ipv6FromHex(hex: string): string {
  const groups = hex.padStart(32, "0").match(/.{4}/g) ?? [];
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

/**
 * miniupnpd's IPv6 pinholes from `nft --debug=netlink list chain inet filter miniupnpd`. miniupnpd 2.3.1
 * writes each pinhole as raw payload matches, which `nft` prints as `@nh,192,128 0x…` (destination
 * address) and `@nh,48,8 0x6|0x11` (next header), and labels it in the rule's user data, which only the
 * netlink dump shows: `pinhole-<UniqueID> ts-<lease end on miniupnpd's clock>: <description>`. (Its IPv6
 * lease file is no help: 2.3.1 rewrites every line with the UniqueID of the last pinhole it renewed.)
 * `bootMs` turns miniupnpd's clock (seconds since boot, `system_uptime=yes`) into a date.
 */
export function parsePinholeRules(listing: string, bootMs: number): LabPinholeRule[] {
  // The netlink dump: one block per rule, "inet filter miniupnpd <handle>…", with its user data if any.
  const labels = listing
    .split(/^inet filter \S+ \d+.*$/m)
    .slice(1)
    .map((block) => /userdata = \{ ([^}]*)\}/.exec(block)?.[1] ?? "");
  const rules: LabPinholeRule[] = [];
  const ruleLines = listing.split("\n").filter((line) => /^\s+\S.* (accept|drop)$/.test(line));
  for (const [i, line] of ruleLines.entries()) {
    const daddr = /@nh,192,128 0x([0-9a-f]{1,32})/.exec(line);
    const next = /@nh,48,8 0x(0?6|11)\b/.exec(line);
    const port = /\bdport (\d+)/.exec(line);
    if (!daddr?.[1] || !next || !port) continue;
    const label = /^pinhole-(\d+) ts-(\d+): ?(.*)$/.exec((labels[i] ?? "").trim());
    rules.push({
      address: ipv6FromHex(daddr[1]),
      transport: next[1] === "11" ? "UDP" : "TCP",
      port: Number(port[1]),
      ...(label ? { id: Number(label[1]), leaseEndsAt: new Date(bootMs + Number(label[2]) * 1000) } : {}),
      description: label?.[3]?.trim() ?? "",
      rule: line.trim(),
    });
  }
  return rules;
}

/** When this machine booted, in epoch ms (namespaces share the kernel's clock). */
async function bootTimeMs(): Promise<number> {
  const uptime = Number((await readFile("/proc/uptime", "utf8")).split(" ")[0]);
  return Date.now() - uptime * 1000;
}

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
  ipv6 = false,
): Promise<LabHomeRouterInfo> {
  const home = ns.home;
  if (!home) throw new Error("netlab: startMiniupnpd needs the lab's home namespace");
  const config = join(dir, "miniupnpd.conf");
  await writeFile(config, miniupnpdConfig(upnp, dir, ipv6));
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
      udp: [`${ADDRESSES.homeLanGateway}:5351`, ...(ipv6 ? ["[::]:5351"] : [])],
    },
    {
      name: "miniupnpd on the home router",
      child,
      describe: async () =>
        `${log()}\n(is Debian's miniupnpd-nftables installed? netlab's LAB_APT_PACKAGES lists it)`,
    },
  );
  const pinholes = async () => {
    const listed = await exec(home, "nft", [
      "--debug=netlink",
      "list",
      "chain",
      "inet",
      "filter",
      MINIUPNPD_FILTER_CHAIN,
    ]);
    if (listed.code !== 0)
      throw new Error(`netlab: listing miniupnpd's chain on the home router failed: ${listed.stderr}`);
    return parsePinholeRules(`${listed.stdout}\n${listed.stderr}`, await bootTimeMs());
  };
  return {
    lanIp: ADDRESSES.homeLanGateway,
    wanIp: ADDRESSES.homeRouterWan,
    descriptionUrl: `http://${ADDRESSES.homeLanGateway}:${ADDRESSES.miniupnpdHttpPort}/rootDesc.xml`,
    natChain: MINIUPNPD_NAT_CHAIN,
    filterChain: MINIUPNPD_FILTER_CHAIN,
    ...(ipv6
      ? {
          lanIp6: ADDRESSES6.lanGateway,
          wanIp6: ADDRESSES6.homeRouterWan,
          descriptionUrl6: `http://[${ADDRESSES6.lanGateway}]:${ADDRESSES.miniupnpdHttpPort}/rootDesc.xml`,
        }
      : {}),
    pinholes,
    log,
  };
}
