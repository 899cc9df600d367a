import { describe, expect, it } from "vitest";
import type { TunnelUdp } from "./types.js";
import { udpMatchKey, udpPortLine, udpSearchLine } from "./udpFacts.js";

const udp: TunnelUdp = {
  state: "OPENING",
  reason: "asking the STUN servers over UDP",
  publicAddress: null,
  localPort: null,
  samePort: false,
  lastKeepaliveAt: null,
  match: null,
  search: null,
  stats: null,
};

describe("udpPortLine", () => {
  it("tells same port, another port with the reason, and no mapping yet apart", () => {
    expect(udpPortLine({ ...udp, samePort: true, publicAddress: { ip: "203.0.113.5", port: 1 } })).toEqual({
      key: "dashboard.udp.samePort",
      same: true,
    });
    expect(
      udpPortLine({ ...udp, publicAddress: { ip: "203.0.113.5", port: 2 }, reason: "no equal port" }),
    ).toEqual({
      key: "dashboard.udp.otherPort",
      params: { reason: "no equal port" },
      same: false,
    });
    expect(udpPortLine(udp)).toEqual({
      key: "dashboard.udp.noMapping",
      params: { reason: "asking the STUN servers over UDP" },
      same: false,
    });
  });
});

describe("udpMatchKey and udpSearchLine", () => {
  it("names each way the port matched, an unknown one as other, and the search's spend", () => {
    expect(udpMatchKey("PAIR")).toBe("dashboard.udp.match.PAIR");
    expect(udpMatchKey("TELEPATHY")).toBe("dashboard.udp.match.OTHER");
    expect(udpSearchLine(udp)).toBeNull();
    const at = "2026-05-01T12:00:00.000Z";
    expect(
      udpSearchLine({
        ...udp,
        search: { outcome: "FOUND", code: null, sockets: 12, packets: 15, elapsedMs: 1250, at },
      }),
    ).toEqual({
      key: "dashboard.udp.searchFound",
      params: { sockets: 12, packets: 15, seconds: "1.3" },
      code: null,
    });
    expect(
      udpSearchLine({
        ...udp,
        search: { outcome: "NOT_FOUND", code: "NO_PORTS", sockets: 3, packets: 3, elapsedMs: 400, at },
      })?.code,
    ).toBe("NO_PORTS");
  });
});
