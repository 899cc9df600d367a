import type { CommandRunner } from "@autostun/plugins-api";
import { isInterfaceName } from "./kernel-state-file.js";

/**
 * DNAT to 127.0.0.1 of a packet that arrived on eth0 is dropped as a martian unless route_localnet is
 * on for that interface. The kernel ORs the per-interface flag with "all" for this check (measured in
 * a namespace on 6.18: the DNATed connect times out with both 0 and works with only the interface's
 * flag on), so only the interfaces peers arrive on are opened, not every one. While it is on, the
 * table's guard chain drops every packet to 127/8 from outside that was not DNATed by us, which is what
 * the kernel does by default.
 */
function key(iface: string): string {
  if (!isInterfaceName(iface)) throw new Error(`not an interface name: ${JSON.stringify(iface)}`);
  // The slash form, since interface names may hold dots (eth0.100) that sysctl would take as separators.
  return `net/ipv4/conf/${iface}/route_localnet`;
}

export async function readRouteLocalnet(runner: CommandRunner, iface = "all"): Promise<string> {
  const result = await runner.run("sysctl", ["-n", key(iface)], { timeoutMs: 5_000 });
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || !/^\d+$/.test(value)) {
    throw new Error(
      `cannot read ${key(iface)}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
    );
  }
  return value;
}

export async function writeRouteLocalnet(runner: CommandRunner, value: string, iface = "all"): Promise<void> {
  const result = await runner.run("sysctl", ["-w", `${key(iface)}=${value}`], { timeoutMs: 5_000 });
  if (result.exitCode !== 0) {
    throw new Error(
      `cannot set ${key(iface)}=${value}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
    );
  }
}

/**
 * The interfaces peers arrive on: those of the default routes (the way to the NAT router). "all" when
 * there is none to name, so a host routed some other way still works as before.
 */
export async function peerInterfaces(runner: CommandRunner): Promise<string[]> {
  const result = await runner.run("ip", ["-j", "-4", "route", "show", "default"], { timeoutMs: 5_000 });
  if (result.exitCode !== 0) return ["all"];
  try {
    const routes = JSON.parse(result.stdout) as { dev?: string }[];
    const devices = [...new Set(routes.map((route) => route.dev ?? ""))].filter(isInterfaceName);
    return devices.length > 0 ? devices : ["all"];
  } catch {
    return ["all"];
  }
}
