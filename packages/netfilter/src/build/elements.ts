import { isIPv6 } from "node:net";
import type { SetRef } from "../ruleset/types.js";

/** An address or CIDR to put in (or take out of) an address set, with an optional lifetime. */
export interface ElementSpec {
  /** `192.0.2.7`, `198.51.100.0/24`, `2001:db8::7` or `2001:db8:1::/48` (for an `ipv6_addr` set). */
  address: string;
  /** Whole seconds; only for sets declared with the `timeout` flag. Ignored when removing. */
  timeoutSeconds?: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/**
 * Checks an IPv4 address or CIDR before it reaches nft: the text is spliced into a script, so only a
 * strict shape is let through. Throws naming the bad value.
 */
export function assertIpv4OrCidr(text: string): void {
  const match = IPV4.exec(text);
  const octetsOk = match?.slice(1, 5).every((octet) => Number(octet) <= 255) ?? false;
  const prefix = match?.[5];
  if (!match || !octetsOk || (prefix !== undefined && Number(prefix) > 32))
    throw new Error(`"${text}" is not an IPv4 address or CIDR (like 192.0.2.7 or 198.51.100.0/24)`);
}

// Hex digits, colons and the dots of an embedded IPv4 tail only: nothing else can reach the script.
const IPV6 = /^([0-9A-Fa-f:.]{2,45})(?:\/(\d{1,3}))?$/;

/** The same for an IPv6 address or CIDR (`2001:db8::7`, `2001:db8:1::/48`). Throws naming the bad value. */
export function assertIpv6OrCidr(text: string): void {
  const match = IPV6.exec(text);
  const prefix = match?.[2];
  if (!match?.[1] || !isIPv6(match[1]) || (prefix !== undefined && Number(prefix) > 128))
    throw new Error(`"${text}" is not an IPv6 address or CIDR (like 2001:db8::7 or 2001:db8:1::/48)`);
}

/**
 * One element as nft text (`192.0.2.7 timeout 60s`), checked as an address of `family` (that of the
 * set it goes to: an `ipv4_addr` set by default); also usable in a set's `elements`.
 */
export function elementText(element: ElementSpec, family: 4 | 6 = 4): string {
  if (family === 6) assertIpv6OrCidr(element.address);
  else assertIpv4OrCidr(element.address);
  const timeout = element.timeoutSeconds;
  if (timeout === undefined) return element.address;
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Error(`timeout of ${element.address} must be a whole number of seconds above 0`);
  return `${element.address} timeout ${timeout}s`;
}

/**
 * The `nft -f` line adding or deleting elements of a set (of `family`'s addresses, IPv4 by default);
 * one transaction for all of them.
 */
export function elementsScript(
  action: "add" | "delete",
  set: SetRef,
  elements: readonly ElementSpec[],
  addressFamily: 4 | 6 = 4,
): string {
  if (elements.length === 0) throw new Error("no elements given");
  const items = elements.map((element) =>
    elementText(action === "delete" ? { address: element.address } : element, addressFamily),
  );
  const { family, name } = set.table;
  return `${action} element ${family} ${name} ${set.name} { ${items.join(", ")} }\n`;
}
