import { lookup } from "node:dns/promises";
import { familyOf } from "../message/ip.js";
import type { Endpoint } from "../transport/types.js";

/** Splits "host:port" or "[v6]:port"; returns an error text for anything else. */
export function parseHostPort(text: string): { host: string; port: number } | { error: string } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!match) return { error: `"${text}" is not host:port (IPv6 as [addr]:port)` };
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return { error: `port ${match[2]} out of range in "${text}"` };
  return { host: match[1]!, port };
}

/**
 * Resolves a server to one address, IPv4 first (or only the family of `localAddress` when set).
 * Returns an error text rather than throwing.
 */
export async function resolveServer(
  text: string,
  localAddress: string | undefined,
  signal?: AbortSignal,
): Promise<{ endpoint: Endpoint } | { error: string }> {
  const parsed = parseHostPort(text);
  if ("error" in parsed) return parsed;
  const wanted = localAddress && !isWildcard(localAddress) ? familyOf(localAddress) : undefined;
  if (familyOf(parsed.host)) {
    if (wanted && familyOf(parsed.host) !== wanted)
      return { error: `${parsed.host} is not ${wanted} like the local address` };
    return { endpoint: { address: parsed.host, port: parsed.port } };
  }
  try {
    const all = await Promise.race([
      lookup(parsed.host, { all: true }),
      new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(new Error("aborted"));
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
    ]);
    const sorted = [...all]
      .sort((a, b) => a.family - b.family)
      .filter((a) => !wanted || familyOf(a.address) === wanted);
    const first = sorted[0];
    if (!first) return { error: `${parsed.host} has no ${wanted ?? ""} address`.replace("  ", " ") };
    return { endpoint: { address: first.address, port: parsed.port } };
  } catch (error) {
    return {
      error: `cannot resolve ${parsed.host}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}
