import type { MessageKey } from "../i18n/en.js";

/** IPv4 as a number, or null when `ip` is not a dotted quad. */
function ipv4(ip: string): number | null {
  const parts = ip.trim().split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    return null;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

function inside(address: number, network: string, prefix: number): boolean {
  const base = ipv4(network) as number;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(base / size);
}

// Addresses a router's WAN side holds only when another NAT stands between it and the internet:
// the private ranges (RFC 1918), link-local and the carrier-grade NAT range (RFC 6598) — the same
// ranges the upnp.gateway check judges by, so the card and the check never disagree.
const NATTED: readonly [string, number][] = [
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["169.254.0.0", 16],
  ["100.64.0.0", 10],
];

/**
 * Whether the home router's reported WAN address shows another NAT beyond it (the ISP's, or a modem
 * not in bridge mode). An address that is not IPv4 is not judged.
 */
export function beyondAnotherNat(externalIp: string | null | undefined): boolean {
  const address = externalIp ? ipv4(externalIp) : null;
  return address !== null && NATTED.some(([network, prefix]) => inside(address, network, prefix));
}

/**
 * The router as a short name: the host and port of a UPnP description URL (the path says nothing to a
 * user and would not fit a phone), or the address PCP and NAT-PMP give as it is.
 */
export function routerName(gateway: string): string {
  try {
    const url = new URL(gateway);
    return url.host || gateway;
  } catch {
    return gateway;
  }
}

const upnpStates = ["SEARCHING", "MAPPED", "NO_GATEWAY", "FAILED", "REMOVED"] as const;

/** The words for a mapping state; a state a newer daemon added reads as "other". */
export function upnpStateKey(state: string): MessageKey {
  return (upnpStates as readonly string[]).includes(state)
    ? (`dashboard.upnp.state.${state as (typeof upnpStates)[number]}` as const)
    : "dashboard.upnp.state.OTHER";
}

/** The protocol as people know it; the same in every language. */
export function protocolName(protocol: string | null): string | null {
  switch (protocol) {
    case "UPNP":
      return "UPnP IGD";
    case "NAT_PMP":
      return "NAT-PMP";
    default:
      return protocol;
  }
}
