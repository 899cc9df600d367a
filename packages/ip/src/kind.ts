import { type IpAddress, parseIp } from "./address.js";
import { type Cidr, cidrContains, isCidrError, parseCidr } from "./cidr.js";

/**
 * What an address is, as far as reaching it from the internet goes. A closed set: the checks' facts,
 * the relay's target rules and the GraphQL enum `AddressKind` all speak these words.
 */
export const ADDRESS_KINDS = ["public", "private", "cgnat", "loopback", "link-local", "reserved"] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

function network(text: string): Cidr {
  const parsed = parseCidr(text);
  if (isCidrError(parsed)) throw new Error(`address range ${text}: ${parsed.error}`);
  return parsed;
}

// Every range that is not "public", IPv4 and IPv6 alike. The ranges do not overlap, so order is free.
const RANGES: readonly { range: Cidr; kind: AddressKind }[] = (
  [
    ["127.0.0.0/8", "loopback"],
    ["::1/128", "loopback"],
    // RFC 1918 and IPv6 unique local addresses (RFC 4193).
    ["10.0.0.0/8", "private"],
    ["172.16.0.0/12", "private"],
    ["192.168.0.0/16", "private"],
    ["fc00::/7", "private"],
    ["169.254.0.0/16", "link-local"],
    ["fe80::/10", "link-local"],
    // Shared address space of carrier-grade NAT (RFC 6598): the carrier's, shared with other subscribers.
    ["100.64.0.0/10", "cgnat"],
    ["0.0.0.0/8", "reserved"],
    ["192.0.0.0/24", "reserved"],
    // Documentation ranges (RFC 5737, RFC 3849): never routed on the internet, often seen in labs and VMs.
    ["192.0.2.0/24", "reserved"],
    ["198.51.100.0/24", "reserved"],
    ["203.0.113.0/24", "reserved"],
    ["2001:db8::/32", "reserved"],
    // Benchmarking (RFC 2544), then multicast and the old class E together.
    ["198.18.0.0/15", "reserved"],
    ["224.0.0.0/3", "reserved"],
    ["::/128", "reserved"],
    ["ff00::/8", "reserved"],
  ] as const
).map(([text, kind]) => ({ range: network(text), kind }));

/** The kind of an address; an IPv4-mapped IPv6 address is judged as the IPv4 address it carries. */
export function addressKind(ip: IpAddress): AddressKind {
  return RANGES.find(({ range }) => cidrContains(range, ip))?.kind ?? "public";
}

/** The same for an address as text; undefined for text that is no IP address. */
export function addressKindOf(text: string): AddressKind | undefined {
  const ip = parseIp(text.trim());
  return ip ? addressKind(ip) : undefined;
}

/**
 * Whether a router whose WAN side holds an address of this kind sits behind another NAT (the ISP's
 * carrier-grade NAT, or a modem that is not in bridge mode): its mappings do not reach the internet.
 */
export function meansAnotherNat(kind: AddressKind): boolean {
  return kind === "private" || kind === "cgnat" || kind === "link-local";
}
