import { describe, expect, it } from "vitest";
import { protocolName, routerName, upnpStateKey } from "./upnpFacts.js";

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
