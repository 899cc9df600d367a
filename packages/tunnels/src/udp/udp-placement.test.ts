import { describe, expect, test } from "vitest";
import { placeUdp } from "./udp-placement.js";

describe("where a tunnel's UDP mapping can live", () => {
  test("a downloader on this host behind a port-preserving gateway keeps its port: nftables rewrites our socket's source port", () => {
    const base = { localPort: 40_000, publicPort: 40_000, targetOnThisHost: true, targetPort: 40_000 };
    expect(placeUdp({ ...base, inbound: "relay-port" })).toEqual({ kind: "host-snat" });
    expect(placeUdp({ ...base, inbound: "kernel-dnat" })).toEqual({ kind: "host-snat" });
    // Without nftables the downloader listens on P itself: only a check is possible.
    expect(placeUdp({ ...base, inbound: "downloader-on-p" })).toEqual({ kind: "downloader" });
  });

  test("a remapping gateway: search for the public port, never on the local port the downloader listens on", () => {
    const remapped = { localPort: 40_000, publicPort: 20_777, targetOnThisHost: true, targetPort: 20_777 };
    expect(placeUdp({ ...remapped, inbound: "listen-on-p" })).toEqual({
      kind: "search",
      avoidLocalPorts: [20_777],
    });
    expect(placeUdp({ ...remapped, inbound: "kernel-dnat" })).toEqual({
      kind: "search",
      avoidLocalPorts: [20_777],
    });
  });

  test("a target on another machine leaves every local port free; one on this host keeps its own", () => {
    const lan = { localPort: 40_000, publicPort: 40_000, targetOnThisHost: false, targetPort: 40_000 };
    expect(placeUdp({ ...lan, inbound: "listen-on-p" })).toEqual({ kind: "search", avoidLocalPorts: [] });
    // A service without a downloader keeps its configured port; T itself is free for the mapping.
    const echo = { localPort: 40_000, publicPort: 40_000, targetOnThisHost: true, targetPort: 7_000 };
    expect(placeUdp({ ...echo, inbound: "listen-on-p" })).toEqual({
      kind: "search",
      avoidLocalPorts: [7_000],
    });
  });
});
