import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv6ListeningOf, peersFromTorrentGet } from "./transmission-ipv6.js";

// Answers recorded from transmission-daemon 3.00 in a netlab IPv6 lab: a libtorrent peer at
// 2a0b:8877:66::21 had connected over TCP to the client at [2a0b:8877:77::2]:51413.
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as {
    result: string;
    arguments: Record<string, unknown>;
  };

describe("Transmission peers and IPv6 listening from its own answers", () => {
  it("lists the incoming IPv6 peer with brackets, over TCP, under the torrent's hash", () => {
    expect(peersFromTorrentGet(fixture("torrent-get-peers.json").arguments)).toEqual([
      {
        address: expect.stringMatching(/^\[2a0b:8877:66::21\]:\d+$/),
        incoming: true,
        transport: "TCP",
        client: "libtorrent (Rasterbar) 2.0.8",
        infoHash: "eff3714825d53568d1e1d9bb931967ec34c1810e",
      },
    ]);
  });

  it("says 3.00's session does not show bind-address-ipv6, and that the RPC cannot change it", () => {
    const session = fixture("session-get.json").arguments;
    expect(session.version).toMatch(/^3\.00/);
    expect(Object.keys(session).filter((key) => key.startsWith("bind-address"))).toEqual([]);
    expect(ipv6ListeningOf(session)).toEqual({
      listens: undefined,
      setting: expect.stringContaining("bind-address-ipv6 in settings.json"),
      changeable: false,
    });
    // 3.00 answers a set of the key with success and changes nothing: success proves nothing.
    expect(fixture("session-set-bind-address-ipv6.json")).toEqual({ arguments: {}, result: "success" });
  });

  it("reads bind-address-ipv6 where a session does carry it", () => {
    expect(ipv6ListeningOf({ "bind-address-ipv6": "::" }).listens).toBe(true);
    expect(ipv6ListeningOf({ "bind-address-ipv6": "::1" }).listens).toBe(false);
  });
});
