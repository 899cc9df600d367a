import { errorText } from "../errors.js";
import { SSDP_GROUP_V6, SsdpSearchError, searchGateway } from "../ssdp-search.js";
import { canonicalIpv6, defaultGatewayV6, interfaceHolding } from "./ipv6-host.js";
import { PcpPinholeGateway } from "./pcp-pinhole-gateway.js";
import type { PinholeGateway } from "./pinhole-types.js";
import { UpnpPinholeGateway } from "./upnp-pinhole-gateway.js";

export interface FindPinholeGatewayOptions {
  signal?: AbortSignal;
  /** This host's global IPv6 address: the pinholes' address, and the source of every request. */
  address: string;
  /** Bound on each request to the router (default 3 000 ms); SSDP waits as long for an answer. */
  requestTimeoutMs?: number;
}

/** What looking for a pinhole router found: the router, and why each other way did not give one. */
export interface PinholeGatewaySearch {
  gateway?: PinholeGateway;
  tried: string[];
}

/** Default bound on each request to the router. */
export const PINHOLE_REQUEST_TIMEOUT_MS = 3_000;

/**
 * Find the router that opens IPv6 pinholes for `address`: UPnP IGD v2 (`WANIPv6FirewallControl`) found by
 * SSDP on IPv6 (the link-local group ff02::c, sent from `address` on its interface), then PCP on the IPv6
 * default router. Only this host's own link is asked.
 */
export async function findPinholeGateway(options: FindPinholeGatewayOptions): Promise<PinholeGatewaySearch> {
  const address = canonicalIpv6(options.address);
  const timeoutMs = options.requestTimeoutMs ?? PINHOLE_REQUEST_TIMEOUT_MS;
  const common = { signal: options.signal, requestTimeoutMs: timeoutMs };
  const tried: string[] = [];
  const iface = interfaceHolding(address);
  if (!iface) {
    tried.push(`UPnP and PCP: ${address} is not an address of this host`);
    return { tried };
  }
  let location: string | undefined;
  try {
    location = await searchGateway({
      address: SSDP_GROUP_V6,
      localAddress: address,
      multicastInterface: iface,
      timeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    if (!(error instanceof SsdpSearchError)) throw error;
    tried.push(`UPnP: ${error.message}`);
  }
  if (location) {
    try {
      return { gateway: await UpnpPinholeGateway.open(location, address, common), tried };
    } catch (error) {
      tried.push(`UPnP: ${errorText(error)}`);
    }
  } else if (tried.length === 0)
    tried.push(`UPnP: no Internet Gateway Device answered SSDP discovery on IPv6 (${iface})`);
  const router = await defaultGatewayV6();
  if (!router) {
    tried.push("PCP: this host has no IPv6 default router");
    return { tried };
  }
  try {
    return { gateway: await PcpPinholeGateway.open(router, address, common), tried };
  } catch (error) {
    tried.push(`PCP: ${errorText(error)}`);
    return { tried };
  }
}
