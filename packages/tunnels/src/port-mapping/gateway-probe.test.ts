import { findGateway, type GatewaySearch, type MappingGateway } from "@autostun/portmapper";
import { describe, expect, it } from "vitest";
import { createUpnpGatewayProbe } from "./gateway-probe.js";
import type { HeldMapping } from "./port-mappings.js";

/** A router that records every request it gets. */
function recordingGateway(requests: string[]): MappingGateway {
  return {
    protocol: "upnp",
    location: "http://192.168.88.1:5000/rootDesc.xml",
    internalClient: "192.168.88.2",
    async externalIp() {
      requests.push("externalIp");
      return "88.77.67.2";
    },
    async mapTcp(port, leaseSeconds) {
      requests.push(`map ${port}`);
      return { externalPort: port, leaseSeconds };
    },
    async unmapTcp(port) {
      requests.push(`unmap ${port}`);
    },
  } as MappingGateway;
}

const held: HeldMapping = {
  tunnelId: "lab",
  port: 40777,
  status: {
    state: "mapped",
    protocol: "upnp",
    gateway: "http://192.168.88.1:5000/rootDesc.xml",
    internalClient: "192.168.88.2",
    externalIp: "88.77.67.2",
    externalPort: 40777,
    leaseEndsAt: new Date("2026-01-02T04:00:00Z"),
  },
};

describe("the upnp.gateway probe", () => {
  it("passes on a search that could not be sent as searchError, apart from 'nothing answered'", async () => {
    // An address no interface here holds: the bind fails and nothing is sent anywhere.
    const probe = createUpnpGatewayProbe(
      () => ({ enabled: "auto", leaseSeconds: 3600 }),
      (options) => findGateway({ ...options, ssdpLocalAddress: "192.0.2.77", natPmp: false }),
    );
    const facts = await probe.probe();
    expect(facts).toMatchObject({ enabled: "auto", found: false });
    expect(facts.searchError).toMatch(
      /SSDP search for a router could not be made from 192\.0\.2\.77.*EADDRNOTAVAIL/,
    );
    expect(facts.tried).toEqual([`UPnP: ${facts.searchError}`]);
  });
});

describe("the upnp.gateway probe beside the tunnels' mappings", () => {
  const config = () => ({ enabled: true as const, leaseSeconds: 3600 });

  it("answers from a mapping a tunnel holds: no search and no request to the router", async () => {
    const requests: string[] = [];
    const searches: string[] = [];
    const probe = createUpnpGatewayProbe(
      config,
      async () => {
        searches.push("own");
        return { gateway: recordingGateway(requests), tried: [] };
      },
      () => ({
        held: () => [held],
        searchGateway: async () => {
          searches.push("shared");
          return { gateway: recordingGateway(requests), tried: [] };
        },
      }),
    );
    const facts = await probe.probe();
    expect(facts).toMatchObject({
      found: true,
      protocol: "upnp",
      location: held.status.gateway,
      internalClient: "192.168.88.2",
      externalIp: "88.77.67.2",
      liveMapping: {
        tunnelId: "lab",
        port: 40777,
        externalPort: 40777,
        leaseEndsAt: "2026-01-02T04:00:00.000Z",
      },
    });
    expect(facts.testMapping).toBeUndefined();
    expect({ requests, searches }).toEqual({ requests: [], searches: [] });
  });

  it("without one, uses the tunnels' shared search (not one of its own) and makes and removes a test mapping", async () => {
    const requests: string[] = [];
    const searches: string[] = [];
    const shared: GatewaySearch = { gateway: recordingGateway(requests), tried: [] };
    const probe = createUpnpGatewayProbe(
      config,
      async () => {
        searches.push("own");
        return shared;
      },
      () => ({
        held: () => [],
        searchGateway: async () => {
          searches.push("shared");
          return shared;
        },
      }),
    );
    const facts = await probe.probe();
    expect(searches).toEqual(["shared"]);
    expect(facts.liveMapping).toBeUndefined();
    expect(facts.testMapping).toMatchObject({ mapped: true, removed: true });
    const port = facts.testMapping?.port;
    expect(requests).toEqual(["externalIp", `map ${port}`, `unmap ${port}`]);
  });

  it("stops waiting for the shared search when the check is cancelled", async () => {
    const probe = createUpnpGatewayProbe(config, undefined, () => ({
      held: () => [],
      searchGateway: () => new Promise<GatewaySearch>(() => {}),
    }));
    const cancel = new AbortController();
    const pending = probe.probe({ signal: cancel.signal });
    cancel.abort(new Error("check timed out"));
    await expect(pending).rejects.toThrow("check timed out");
  });
});
