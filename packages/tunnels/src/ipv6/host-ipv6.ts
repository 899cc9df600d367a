import { networkInterfaces } from "node:os";
import type { CommandRunner } from "@autostun/plugins-api";

/**
 * This host's global IPv6 addresses, read the way the `ipv6.reachability` check reads them (the same
 * rule, kept here because tunnels may not import the checks): 2000::/3 only, nothing deprecated,
 * tentative or failed, the stable addresses before the temporary ones.
 */
export interface HostIpv6Address {
  address: string;
  interface: string;
  /** A privacy address (RFC 8981): rotated, so never the one to open the router for. */
  temporary: boolean;
}

interface AddrInfo {
  family?: string;
  local?: string;
  scope?: string;
  temporary?: boolean;
  deprecated?: boolean;
  tentative?: boolean;
  dadfailed?: boolean;
}

/** 2000::/3, the block the internet routes unicast to. */
export function isGlobalIpv6(address: string): boolean {
  const head = address.toLowerCase().split(":")[0] ?? "";
  if (head.length === 0 || head.length > 4) return false;
  const first = Number.parseInt(head.padStart(4, "0"), 16);
  return first >= 0x2000 && first <= 0x3fff;
}

/** The global addresses in the output of `ip -j -6 addr`, stable ones first. */
export function parseHostIpv6(json: string): HostIpv6Address[] {
  const links = JSON.parse(json) as { ifname?: string; addr_info?: AddrInfo[] }[];
  if (!Array.isArray(links)) throw new Error("ip -j -6 addr printed no list");
  const found: HostIpv6Address[] = [];
  for (const link of links)
    for (const info of link.addr_info ?? []) {
      if (info.family !== "inet6" || info.scope !== "global" || !info.local) continue;
      if (info.deprecated || info.tentative || info.dadfailed || !isGlobalIpv6(info.local)) continue;
      found.push({ address: info.local, interface: link.ifname ?? "", temporary: info.temporary === true });
    }
  return found.sort((a, b) => Number(a.temporary) - Number(b.temporary));
}

/** The local addresses the TCP listeners on `port` are bound to, from `ss -ltnH` (`[::]`, `*`, `[2001:db8::2]`). */
export function parseListenerAddresses(output: string, port: number): string[] {
  const bound = new Set<string>();
  for (const line of output.split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const colon = local.lastIndexOf(":");
    if (colon < 0 || local.slice(colon + 1) !== String(port)) continue;
    bound.add(
      local
        .slice(0, colon)
        .replace(/%.*$/, "")
        .replace(/^\[|\]$/g, ""),
    );
  }
  return [...bound];
}

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
  return parseHostIpv6(await run(runner, "ip", ["-j", "-6", "addr"]));
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
