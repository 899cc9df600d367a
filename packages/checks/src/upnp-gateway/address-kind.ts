/** What kind of IPv4 address a router reports as its WAN side. */
export type AddressKind = "public" | "private" | "cgnat" | "unknown";

function octets(ip: string): number[] | undefined {
  const parts = ip.split(".").map(Number);
  return parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)
    ? parts
    : undefined;
}

/**
 * RFC 1918 (and link-local) is a LAN address, 100.64.0.0/10 is carrier-grade NAT: either way another NAT
 * sits between the router and the internet. Anything else counts as public here.
 */
export function addressKind(ip: string | undefined): AddressKind {
  const o = ip ? octets(ip) : undefined;
  if (!o) return "unknown";
  const [a = 0, b = 0] = o;
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254))
    return "private";
  if (a === 100 && b >= 64 && b <= 127) return "cgnat";
  if (a === 0) return "unknown";
  return "public";
}
