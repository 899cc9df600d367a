import { bitsOf, formatIp, type IpAddress, parseIp } from "./address.js";

/** A network: the address with its host bits cleared, and the prefix length. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

function buildMasks(bits: 32 | 128): bigint[] {
  const all = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: bits + 1 }, (_, prefix) =>
    prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix),
  );
}

// Precomputed because matching masks an address once per prefix length on every accepted peer.
const MASKS = { 4: buildMasks(32), 6: buildMasks(128) } as const;

export function maskOf(family: 4 | 6, prefix: number): bigint {
  return MASKS[family][prefix] ?? 0n;
}

/**
 * Parses `1.2.3.0/24`, `2001:db8::/32`, or a bare address (a single host). Host bits set past the
 * prefix are an error rather than silently cleared: `10.1.2.3/8` is more often a typo than a wish to
 * ban all of 10/8. An IPv4-mapped IPv6 network becomes the IPv4 network it covers.
 */
export function parseCidr(text: string): Cidr | { error: string } {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const ip = parseIp(addressText);
  if (!ip) return { error: `"${addressText}" is not an IPv4 or IPv6 address` };
  const written6 = addressText.includes(":");
  const bits = written6 ? 128 : 32;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return { error: `"/${prefixText}" is not a prefix length between 0 and ${bits}` };
    }
    prefix = Number(prefixText);
  }
  if (written6 && ip.family === 4) {
    if (prefix < 96) return { error: `an IPv4-mapped network needs a prefix of at least 96, not /${prefix}` };
    prefix -= 96;
  }
  const mask = maskOf(ip.family, prefix);
  if ((ip.value & ~mask & ((1n << BigInt(bitsOf(ip.family))) - 1n)) !== 0n) {
    return {
      error: `"${trimmed}" has host bits set past /${prefix}; did you mean ${formatCidr({ family: ip.family, network: ip.value & mask, prefix })}?`,
    };
  }
  return { family: ip.family, network: ip.value & mask, prefix };
}

export function isCidrError(parsed: Cidr | { error: string }): parsed is { error: string } {
  return "error" in parsed;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.network })}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & maskOf(cidr.family, cidr.prefix)) === cidr.network;
}
