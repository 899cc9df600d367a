import type { IpAddress } from "./address.js";
import { type Cidr, cidrContains, isCidrError, parseCidr } from "./cidr.js";

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (isCidrError(parsed)) throw new Error(parsed.error);
  return parsed;
}

export const LOOPBACK: readonly Cidr[] = [cidr("127.0.0.0/8"), cidr("::1/128")];
export const PRIVATE: readonly Cidr[] = [
  cidr("10.0.0.0/8"),
  cidr("172.16.0.0/12"),
  cidr("192.168.0.0/16"),
  cidr("fc00::/7"),
];
export const LINK_LOCAL: readonly Cidr[] = [cidr("169.254.0.0/16"), cidr("fe80::/10")];
export const SHARED_CGNAT: readonly Cidr[] = [cidr("100.64.0.0/10")];

export function inAny(ranges: readonly Cidr[], ip: IpAddress): boolean {
  return ranges.some((range) => cidrContains(range, ip));
}
