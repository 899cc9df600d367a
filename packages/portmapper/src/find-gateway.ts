import { defaultGatewayV4 } from "./default-gateway.js";
import { errorText, type PortMappingError } from "./errors.js";
import type { MappingGateway } from "./gateway.js";
import { NatPmpGateway } from "./nat-pmp-gateway.js";
import { PcpGateway } from "./pcp-gateway.js";
import { SsdpSearchError, searchGateway } from "./ssdp-search.js";
import { UpnpGateway } from "./upnp-gateway.js";

export interface FindGatewayOptions {
  /** Skip discovery and use this UPnP device description URL. */
  descriptionUrl?: string;
  /** How long SSDP discovery waits for an answer (default 3 000 ms). */
  searchTimeoutMs?: number;
  /** Try PCP, then NAT-PMP, on the default gateway when no UPnP device answers (default true). */
  natPmp?: boolean;
  signal?: AbortSignal;
  /** Send the SSDP search from this local address (default: any; the kernel picks by its routes). */
  ssdpLocalAddress?: string;
}

/** The outcome of looking for a gateway: the one found, and why the others were not used. */
export interface GatewaySearch {
  gateway: MappingGateway | undefined;
  /** Each way tried that did not give a gateway, and why (for facts and status lines). */
  tried: string[];
  /**
   * Why the SSDP search could not be sent at all (a socket error: the code, and the address and
   * interface it was sent from). Absent when it was sent, answered or not.
   */
  searchError?: string;
}

/**
 * Find the home router that maps ports: UPnP IGD through SSDP on this host's LAN (or the given
 * description URL), then PCP and NAT-PMP on the default gateway. Only this host's own network is asked:
 * the multicast group and the default gateway.
 */
export async function findGateway(options: FindGatewayOptions = {}): Promise<GatewaySearch> {
  const tried: string[] = [];
  let searchError: string | undefined;
  let location = options.descriptionUrl;
  if (!location) {
    try {
      location = await searchGateway({
        timeoutMs: options.searchTimeoutMs ?? 3_000,
        signal: options.signal,
        localAddress: options.ssdpLocalAddress,
      });
    } catch (error) {
      if (!(error instanceof SsdpSearchError)) throw error;
      searchError = error.message;
    }
  }
  const done = (gateway: MappingGateway | undefined): GatewaySearch =>
    searchError ? { gateway, tried, searchError } : { gateway, tried };
  if (location) {
    try {
      return done(await UpnpGateway.open(location, options.signal));
    } catch (error) {
      tried.push(`UPnP: ${errorText(error)}`);
    }
  } else tried.push(`UPnP: ${searchError ?? "no Internet Gateway Device answered SSDP discovery"}`);
  if (options.natPmp === false) return done(undefined);
  const router = await defaultGatewayV4();
  if (!router) {
    tried.push("NAT-PMP: this host has no IPv4 default gateway");
    return done(undefined);
  }
  try {
    return done(await PcpGateway.open(router, options.signal));
  } catch (error) {
    tried.push(`PCP: ${errorText(error)}`);
    // A NAT-PMP router answers a PCP request with "unsupported version"; silence means neither is there.
    if ((error as PortMappingError).code !== 1) return done(undefined);
  }
  try {
    const gateway = await NatPmpGateway.open(router);
    await gateway.externalIp(options.signal);
    return done(gateway);
  } catch (error) {
    tried.push(`NAT-PMP: ${errorText(error)}`);
    return done(undefined);
  }
}
