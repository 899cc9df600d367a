import { findGateway } from "@autostun/relay";
import { describe, expect, it } from "vitest";
import { createUpnpGatewayProbe } from "./upnp-probe.js";

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
