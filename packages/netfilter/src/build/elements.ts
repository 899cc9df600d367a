import type { SetRef } from "../ruleset/types.js";

/** An address or CIDR to put in (or take out of) an address set, with an optional lifetime. */
export interface ElementSpec {
  /** `192.0.2.7` or `198.51.100.0/24`. */
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

/** One element as nft text (`192.0.2.7 timeout 60s`), checked; also usable in a set's `elements`. */
export function elementText(element: ElementSpec): string {
  assertIpv4OrCidr(element.address);
  const timeout = element.timeoutSeconds;
  if (timeout === undefined) return element.address;
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Error(`timeout of ${element.address} must be a whole number of seconds above 0`);
  return `${element.address} timeout ${timeout}s`;
}

/** The `nft -f` line adding or deleting elements of a set; one transaction for all of them. */
export function elementsScript(
  action: "add" | "delete",
  set: SetRef,
  elements: readonly ElementSpec[],
): string {
  if (elements.length === 0) throw new Error("no elements given");
  const items = elements.map((element) =>
    elementText(action === "delete" ? { address: element.address } : element),
  );
  const { family, name } = set.table;
  return `${action} element ${family} ${name} ${set.name} { ${items.join(", ")} }\n`;
}
