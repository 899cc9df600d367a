import type { CommandRunner, SystemFiles } from "@autostun/plugins-api";

/** What kind of link an interface is, as far as the kernel or sysfs tells. */
export type LinkKind =
  | "loopback"
  | "veth"
  | "physical"
  | "bridge"
  | "tun"
  | "macvlan"
  | "ipvlan"
  | "wireless"
  | "vlan"
  | "other";

export interface LinkFacts {
  name: string;
  kind: LinkKind;
  /** `ip -d link` (the kernel's own name for the driver) or `sysfs` (inferred from /sys/class/net). */
  source: "ip" | "sysfs";
}

export interface DefaultRoute {
  interface: string;
  gateway: string;
}

/**
 * Classifies every network interface. `ip -d -j link` names the driver exactly (veth, macvlan, tun…);
 * slim images often lack iproute2, so sysfs is the fallback: a veth has a peer index (`iflink`) that
 * differs from its own and no backing `device`, a tun/tap has `tun_flags`, a bridge has `bridge/`.
 */
export async function readLinks(files: SystemFiles, runner: CommandRunner, signal: AbortSignal) {
  const names = (await files.list("/sys/class/net")).filter((n) => !n.startsWith("."));
  const fromIp = await linkKindsFromIp(runner, signal);
  const links: LinkFacts[] = [];
  for (const name of names) {
    const kind = fromIp.get(name);
    links.push(
      kind ? { name, kind, source: "ip" } : { name, kind: await sysfsKind(files, name), source: "sysfs" },
    );
  }
  // An interface that `ip` lists but sysfs does not (sysfs not mounted) still counts.
  for (const [name, kind] of fromIp) if (!names.includes(name)) links.push({ name, kind, source: "ip" });
  return links;
}

async function linkKindsFromIp(runner: CommandRunner, signal: AbortSignal): Promise<Map<string, LinkKind>> {
  const kinds = new Map<string, LinkKind>();
  const result = await runner.run("ip", ["-d", "-j", "link", "show"], { signal, timeoutMs: 3_000 });
  if (result.exitCode !== 0) return kinds;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    return kinds;
  }
  if (!Array.isArray(parsed)) return kinds;
  for (const entry of parsed as Array<Record<string, unknown>>) {
    const name = typeof entry.ifname === "string" ? entry.ifname : undefined;
    if (!name) continue;
    const info = entry.linkinfo as { info_kind?: unknown } | undefined;
    const driver = typeof info?.info_kind === "string" ? info.info_kind : undefined;
    if (entry.link_type === "loopback") kinds.set(name, "loopback");
    else if (driver) kinds.set(name, kindOfDriver(driver));
    // No linkinfo: a plain device with a driver of its own, i.e. hardware (or a VM's virtio NIC).
    else kinds.set(name, "physical");
  }
  return kinds;
}

function kindOfDriver(driver: string): LinkKind {
  switch (driver) {
    case "veth":
    case "bridge":
    case "tun":
    case "macvlan":
    case "ipvlan":
    case "vlan":
      return driver;
    case "macvtap":
      return "macvlan";
    case "ipvtap":
      return "ipvlan";
    default:
      return "other";
  }
}

async function sysfsKind(files: SystemFiles, name: string): Promise<LinkKind> {
  const base = `/sys/class/net/${name}`;
  const type = (await files.readText(`${base}/type`))?.trim();
  if (name === "lo" || type === "772") return "loopback";
  if (await files.exists(`${base}/bridge`)) return "bridge";
  if (await files.exists(`${base}/tun_flags`)) return "tun";
  if (await files.exists(`${base}/wireless`)) return "wireless";
  const uevent = (await files.readText(`${base}/uevent`)) ?? "";
  const devtype = /^DEVTYPE=(\S+)/m.exec(uevent)?.[1];
  if (devtype === "bridge") return "bridge";
  if (devtype === "vlan") return "vlan";
  if (devtype === "wlan") return "wireless";
  if (await files.exists(`${base}/device`)) return "physical";
  const ifindex = (await files.readText(`${base}/ifindex`))?.trim();
  const iflink = (await files.readText(`${base}/iflink`))?.trim();
  // A link whose peer index differs and has no hardware behind it: a veth (or a macvlan whose parent
  // lives in the host's namespace, which sysfs cannot tell apart; `ip -d link` can).
  if (ifindex && iflink && ifindex !== iflink) return "veth";
  return "other";
}

/** The IPv4 default route from /proc/net/route (hex, little-endian addresses). */
export async function readDefaultRoute(files: SystemFiles): Promise<DefaultRoute | undefined> {
  const table = (await files.readText("/proc/net/route")) ?? "";
  for (const line of table.split("\n").slice(1)) {
    const [iface, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
    if (!iface || !gateway || destination !== "00000000" || (mask && mask !== "00000000")) continue;
    return { interface: iface, gateway: hexToIPv4(gateway) };
  }
  return undefined;
}

function hexToIPv4(hex: string): string {
  const value = Number.parseInt(hex, 16);
  return [0, 8, 16, 24].map((shift) => (value >>> shift) & 0xff).join(".");
}
