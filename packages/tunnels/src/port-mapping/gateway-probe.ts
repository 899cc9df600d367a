import { randomInt } from "node:crypto";
import type { AutostunConfig } from "@autostun/config";
import type { UpnpGateway, UpnpGatewayProbe } from "@autostun/plugins-api";
import {
  portMappingErrorText as errorText,
  type FindGatewayOptions,
  findGateway,
  type GatewaySearch,
  type MappingGateway,
  PortMappingError,
} from "@autostun/portmapper";
import type { HeldMapping } from "./port-mappings.js";

/** The test mapping's lease: short, so a router that missed the removal drops it soon by itself. */
const TEST_LEASE_SECONDS = 120;

/** What the tunnels already know about the home router (the relay's {@link UpnpMappings}). */
export interface TunnelsUpnp {
  held(): HeldMapping[];
  /** The tunnels' shared router search, reused while fresh. */
  searchGateway(): Promise<GatewaySearch>;
}

/**
 * `Services.UpnpGateway` for the `upnp.gateway` check: finds the home router the way tunnels do, asks
 * its WAN address, and maps a random high port to this host for a moment to see whether it allows it.
 * While a tunnel's mapping is held on the router, that mapping is the answer: no search, no test mapping,
 * nothing asked of the router on every diagnosis that the tunnel's lease does not already show.
 */
export function createUpnpGatewayProbe(
  config: () => AutostunConfig["upnp"],
  /** How the router is found; tests hand in their own. */
  find: (options: FindGatewayOptions) => Promise<GatewaySearch> = findGateway,
  /** The running tunnels' mappings and search; absent, the probe searches and tests by itself. */
  tunnels?: () => TunnelsUpnp,
): UpnpGateway {
  return {
    async probe(options = {}): Promise<UpnpGatewayProbe> {
      const { enabled, descriptionUrl } = config();
      if (enabled === false) return { enabled, found: false, tried: [] };
      const known = tunnels?.();
      const held = known?.held()[0];
      if (held) return fromHeld(enabled, held);
      const search = await (known
        ? abortable(known.searchGateway(), options.signal)
        : find({ descriptionUrl, signal: options.signal }));
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

/** The check's facts from a mapping a tunnel holds: the router, its WAN address and the lease. */
function fromHeld(enabled: true | "auto", held: HeldMapping): UpnpGatewayProbe {
  const { status } = held;
  return {
    enabled,
    found: true,
    ...(status.protocol ? { protocol: status.protocol } : {}),
    ...(status.gateway ? { location: status.gateway } : {}),
    ...(status.internalClient ? { internalClient: status.internalClient } : {}),
    ...(status.externalIp ? { externalIp: status.externalIp } : {}),
    liveMapping: {
      tunnelId: held.tunnelId,
      port: held.port,
      externalPort: status.externalPort ?? held.port,
      ...(status.leaseEndsAt ? { leaseEndsAt: status.leaseEndsAt.toISOString() } : {}),
    },
    tried: [],
  };
}

/** The shared search runs on under its own bound; only this check's wait for it ends with the signal. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
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
