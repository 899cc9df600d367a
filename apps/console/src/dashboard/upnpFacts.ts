import type { MessageKey } from "../i18n/en.js";

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
