/** What kind of IPv4 address this is, as far as reaching it from the internet goes. */
export type AddressKind = "public" | "private" | "cgnat" | "loopback" | "link-local" | "reserved";

const RANGES: readonly [string, number, AddressKind][] = [
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["0.0.0.0", 8, "reserved"],
  ["192.0.0.0", 24, "reserved"],
  // Documentation ranges (RFC 5737): never routed on the internet, often seen in labs and VMs.
  ["192.0.2.0", 24, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["198.18.0.0", 15, "reserved"],
  ["224.0.0.0", 3, "reserved"],
];

function toNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Classifies an IPv4 address; undefined for anything that is not one. */
export function classifyIpv4(ip: string): AddressKind | undefined {
  const value = toNumber(ip);
  if (value === undefined) return undefined;
  for (const [base, bits, kind] of RANGES) {
    const size = 2 ** (32 - bits);
    const start = toNumber(base) as number;
    if (value >= start && value < start + size) return kind;
  }
  return "public";
}
