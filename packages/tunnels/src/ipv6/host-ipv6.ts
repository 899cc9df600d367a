import { networkInterfaces } from "node:os";
import { type GlobalIpv6Address, parseGlobalIpv6, parseListenerAddresses } from "@autostun/ip";
import type { CommandRunner } from "@autostun/plugins-api";

/**
 * This host's global IPv6 addresses, read by the rule `ipv6.reachability` uses too (`@autostun/ip`):
 * 2000::/3 only, nothing deprecated, tentative or failed, the stable addresses before the temporary ones.
 */
export type HostIpv6Address = GlobalIpv6Address;

async function run(runner: CommandRunner, command: string, args: string[]): Promise<string> {
  const result = await runner.run(command, args, { timeoutMs: 5000 });
  if (result.error || result.exitCode !== 0)
    throw new Error(
      `${command} ${args.join(" ")}: ${result.error ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
    );
  return result.stdout;
}

/** Reads this host's global IPv6 addresses (`ip -j -6 addr`). */
export async function readHostIpv6(runner: CommandRunner): Promise<HostIpv6Address[]> {
  return parseGlobalIpv6(await run(runner, "ip", ["-j", "-6", "addr"]));
}

/** Where the TCP listeners on `port` are bound (`ss -ltnH`). */
export async function readListenerAddresses(runner: CommandRunner, port: number): Promise<string[]> {
  return parseListenerAddresses(await run(runner, "ss", ["-ltnH"]), port);
}

/** Addresses read this recently are used again: every tunnel looks at once when several open together. */
const GLOBALS_FRESH_MS = 5_000;

/** This host's IPv6 read with `ip` and `ss`, shared by every tunnel. */
export function createHostIpv6Reader(runner: CommandRunner): {
  globals(): Promise<HostIpv6Address[]>;
  localAddresses(): string[];
  bound(port: number): Promise<string[] | undefined>;
} {
  let cached: { at: number; result: Promise<HostIpv6Address[]> } | undefined;
  return {
    globals() {
      if (cached && Date.now() - cached.at < GLOBALS_FRESH_MS) return cached.result;
      const result = readHostIpv6(runner);
      cached = { at: Date.now(), result };
      // A failed read is not kept: the next look asks again.
      result.catch(() => {
        if (cached?.result === result) cached = undefined;
      });
      return result;
    },
    localAddresses: () =>
      Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address)),
    bound: (port) => readListenerAddresses(runner, port).catch(() => undefined),
  };
}
