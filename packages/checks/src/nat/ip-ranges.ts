import { isIPv4 } from "node:net";
import { type AddressKind, addressKindOf } from "@autostun/ip";

export type { AddressKind };

/**
 * The kind of an IPv4 address, judged by the one classifier in `@autostun/ip`; undefined for anything
 * else, IPv6 included, which the NAT checks report apart from IPv4.
 */
export function classifyIpv4(ip: string): AddressKind | undefined {
  return isIPv4(ip) ? addressKindOf(ip) : undefined;
}
