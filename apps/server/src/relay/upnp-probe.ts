import { randomInt } from "node:crypto";
import type { UpnpGateway, UpnpGatewayProbe } from "@autostun/plugins-api";
import {
  portMappingErrorText as errorText,
  type FindGatewayOptions,
  findGateway,
  type GatewaySearch,
  type MappingGateway,
  PortMappingError,
} from "@autostun/relay";
import type { AutostunConfig } from "../config/schema.js";

/** The test mapping's lease: short, so a router that missed the removal drops it soon by itself. */
const TEST_LEASE_SECONDS = 120;

/**
 * `Services.UpnpGateway` for the `upnp.gateway` check: finds the home router the way tunnels do, asks
 * its WAN address, and maps a random high port to this host for a moment to see whether it allows it.
 */
export function createUpnpGatewayProbe(
  config: () => AutostunConfig["upnp"],
  /** How the router is found; tests hand in their own. */
  find: (options: FindGatewayOptions) => Promise<GatewaySearch> = findGateway,
): UpnpGateway {
  return {
    async probe(options = {}): Promise<UpnpGatewayProbe> {
      const { enabled, descriptionUrl } = config();
      if (enabled === false) return { enabled, found: false, tried: [] };
      const search = await find({ descriptionUrl, signal: options.signal });
      const gateway = search.gateway;
      const searchError = search.searchError ? { searchError: search.searchError } : {};
      if (!gateway) return { enabled, found: false, tried: search.tried, ...searchError };
      const facts: UpnpGatewayProbe = {
        enabled,
        found: true,
        protocol: gateway.protocol,
        location: gateway.location,
        internalClient: gateway.internalClient,
        tried: search.tried,
        ...searchError,
      };
      const name = (gateway as { name?: string }).name;
      if (name) facts.name = name;
      try {
        facts.externalIp = await gateway.externalIp(options.signal);
      } catch (error) {
        facts.externalIpError = errorText(error);
      }
      facts.testMapping = await tryMapping(gateway, options.signal);
      return facts;
    },
  };
}

async function tryMapping(
  gateway: MappingGateway,
  signal?: AbortSignal,
): Promise<UpnpGatewayProbe["testMapping"]> {
  // Far from the ports tunnels usually pick, so the test never takes over a live mapping.
  const port = randomInt(50_000, 60_000);
  try {
    await gateway.mapTcp(port, TEST_LEASE_SECONDS, "AutoSTUN check (removed at once)", signal);
  } catch (error) {
    const code = error instanceof PortMappingError ? error.code : undefined;
    return { port, mapped: false, error: errorText(error), ...(code !== undefined ? { code } : {}) };
  }
  try {
    await gateway.unmapTcp(port, signal);
    return { port, mapped: true, removed: true };
  } catch (error) {
    return { port, mapped: true, removed: false, error: `removing the test mapping: ${errorText(error)}` };
  }
}
