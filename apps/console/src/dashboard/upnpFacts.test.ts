import { describe, expect, it } from "vitest";
import { beyondAnotherNat, protocolName, routerName, upnpStateKey } from "./upnpFacts.js";

describe("beyondAnotherNat", () => {
  it("flags a router WAN address in a private, link-local or the carrier-grade NAT range", () => {
    for (const ip of [
      "10.0.0.2",
      "172.16.0.1",
      "172.31.255.254",
      "192.168.1.1",
      "169.254.10.1",
      "100.64.0.1",
      "100.127.3.4",
    ])
      expect(beyondAnotherNat(ip), ip).toBe(true);
  });

  it("leaves an ordinary address alone, and the ranges' neighbours", () => {
    for (const ip of [
      "203.0.113.9",
      "88.77.66.1",
      "172.32.0.1",
      "172.15.255.255",
      "100.63.255.255",
      "100.128.0.0",
      "169.253.255.255",
      "11.0.0.1",
    ])
      expect(beyondAnotherNat(ip), ip).toBe(false);
  });

  it("does not judge what it cannot read", () => {
    for (const ip of [null, undefined, "", "2001:db8::1", "10.0.0", "10.0.0.256", "router"])
      expect(beyondAnotherNat(ip), String(ip)).toBe(false);
  });
});

describe("routerName", () => {
  it("shortens a UPnP description URL to its host and keeps a bare address", () => {
    expect(routerName("http://192.168.1.1:5000/rootDesc.xml")).toBe("192.168.1.1:5000");
    expect(routerName("192.168.1.1")).toBe("192.168.1.1");
  });
});

describe("upnpStateKey and protocolName", () => {
  it("names the daemon's states and protocols, and an unknown state as other", () => {
    expect(upnpStateKey("MAPPED")).toBe("dashboard.upnp.state.MAPPED");
    expect(upnpStateKey("NO_GATEWAY")).toBe("dashboard.upnp.state.NO_GATEWAY");
    expect(upnpStateKey("EXPIRED")).toBe("dashboard.upnp.state.OTHER");
    expect(protocolName("UPNP")).toBe("UPnP IGD");
    expect(protocolName("NAT_PMP")).toBe("NAT-PMP");
    expect(protocolName("PCP")).toBe("PCP");
    expect(protocolName(null)).toBeNull();
  });
});
