import { describe, expect, test } from "vitest";
import { findGateway } from "./find-gateway.js";
import { SsdpSearchError, searchGateway } from "./ssdp-search.js";

// 192.0.2.0/24 is reserved for documentation: no interface here holds it, so binding fails before anything
// is sent, and nothing reaches this machine's network.
const NOT_HERE = "192.0.2.77";

describe("an SSDP search that cannot be made", () => {
  test("rejects with the socket's error and the local address, instead of reading as no answer", async () => {
    const error = await searchGateway({ localAddress: NOT_HERE, timeoutMs: 1_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(SsdpSearchError);
    expect(error).toMatchObject({ code: "EADDRNOTAVAIL" });
    expect((error as Error).message).toMatch(
      /^the SSDP search for a router could not be made from 192\.0\.2\.77: bind EADDRNOTAVAIL .*; no router was asked$/,
    );
  });

  test("findGateway reports it as its own outcome, not as 'no Internet Gateway Device answered'", async () => {
    const search = await findGateway({ ssdpLocalAddress: NOT_HERE, natPmp: false });
    expect(search.gateway).toBeUndefined();
    expect(search.searchError).toMatch(/could not be made from 192\.0\.2\.77.*EADDRNOTAVAIL/);
    expect(search.tried).toEqual([`UPnP: ${search.searchError}`]);
  });
});
