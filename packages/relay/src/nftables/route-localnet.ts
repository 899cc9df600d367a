import type { CommandRunner } from "@autostun/plugins-api";

const KEY = "net.ipv4.conf.all.route_localnet";

/**
 * DNAT to 127.0.0.1 of a packet that arrived on eth0 is dropped as a martian unless route_localnet is
 * on (verified in the lab's LAN namespace: the connect times out without it and works with it). The
 * flag is ORed per interface, so "all" covers whichever interface peers arrive on after a network
 * change. While it is on, the table's guard chain drops every packet to 127/8 from outside that was
 * not DNATed by us, which is what the kernel does by default.
 */
export async function readRouteLocalnet(runner: CommandRunner): Promise<string> {
  const result = await runner.run("sysctl", ["-n", KEY], { timeoutMs: 5_000 });
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || !/^\d+$/.test(value)) {
    throw new Error(
      `cannot read ${KEY}: ${result.error ?? result.stderr.trim() ?? `exit ${result.exitCode}`}`,
    );
  }
  return value;
}

export async function writeRouteLocalnet(runner: CommandRunner, value: string): Promise<void> {
  const result = await runner.run("sysctl", ["-w", `${KEY}=${value}`], { timeoutMs: 5_000 });
  if (result.exitCode !== 0) {
    throw new Error(
      `cannot set ${KEY}=${value}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
    );
  }
}
