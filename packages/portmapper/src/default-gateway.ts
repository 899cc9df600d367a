import { readFile } from "node:fs/promises";

/**
 * The IPv4 default gateway of this host's network namespace, from the kernel's routing table
 * (`/proc/net/route`: little-endian hex, the default route has destination 00000000). Undefined where
 * that file does not exist (not Linux) or no default route is set.
 */
export async function defaultGatewayV4(routeFile = "/proc/net/route"): Promise<string | undefined> {
  const text = await readFile(routeFile, "utf8").catch(() => "");
  return parseDefaultGateway(text);
}

export function parseDefaultGateway(text: string): string | undefined {
  for (const line of text.split("\n").slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== "00000000" || !gateway || !flags) continue;
    // RTF_UP (1) and RTF_GATEWAY (2).
    if ((Number.parseInt(flags, 16) & 3) !== 3) continue;
    const n = Number.parseInt(gateway, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
  }
  return undefined;
}
