import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv6ListeningOf, listenChoiceOf, peersFromSync, torrentsToAsk } from "./qbittorrent-ipv6.js";

// Answers recorded from qbittorrent-nox 4.5.2 in a netlab IPv6 lab: a libtorrent peer at
// 2a0b:8877:66::20 had connected over TCP to the client at [2a0b:8877:77::2]:6881.
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

describe("qBittorrent peers from its own answers", () => {
  it("asks for the torrent that has a connected peer, by its hash", () => {
    expect(torrentsToAsk(fixture("torrents-info.json"))).toEqual([
      "eff3714825d53568d1e1d9bb931967ec34c1810e",
    ]);
  });

  it("skips stopped torrents and asks at most 50, most connected first, then most recently active", () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({
      hash: i.toString(16).padStart(40, "0"),
      state: "stalledUP",
      num_seeds: 0,
      num_leechs: i === 3 ? 2 : 0,
      last_activity: 1_000 + i,
    }));
    rows.push({ hash: "F".repeat(40), state: "pausedUP", num_seeds: 0, num_leechs: 9, last_activity: 9_999 });
    const asked = torrentsToAsk(rows);
    expect(asked).toHaveLength(50);
    expect(asked.slice(0, 2)).toEqual([
      (3).toString(16).padStart(40, "0"),
      (79).toString(16).padStart(40, "0"),
    ]);
    expect(asked).not.toContain("f".repeat(40));
  });

  it("lists the incoming IPv6 peer with brackets, over TCP, with its client name", () => {
    const [hash] = torrentsToAsk(fixture("torrents-info.json"));
    const peers = peersFromSync(hash as string, fixture("sync-torrent-peers.json"));
    expect(peers).toEqual([
      {
        address: expect.stringMatching(/^\[2a0b:8877:66::20\]:\d+$/),
        incoming: true,
        transport: "TCP",
        client: "autostun-lab-swarm-peer",
        infoHash: hash,
      },
    ]);
  });

  it("tells an outgoing uTP peer from an incoming TCP one by flags and connection", () => {
    const answer = {
      peers: {
        "1.2.3.4:5": { ip: "1.2.3.4", port: 5, flags: "D E P", connection: "μTP", client: "" },
        bad: { ip: 7, port: "x" },
      },
    };
    expect(peersFromSync("a".repeat(40), answer)).toEqual([
      { address: "1.2.3.4:5", incoming: false, transport: "UTP", infoHash: "a".repeat(40) },
    ]);
  });
});

describe("qBittorrent listening on IPv6 from its preferences", () => {
  it("reads the default (no interface, no address) as listening on every address, IPv6 included", () => {
    const choice = listenChoiceOf(fixture("preferences.json"));
    expect(choice).toEqual({ networkInterface: "", address: "" });
    expect(ipv6ListeningOf(choice as never)).toEqual({
      listens: true,
      setting: 'current_interface_address = "" (all addresses)',
      changeable: true,
    });
  });

  it("reads 0.0.0.0 on a named interface as IPv4 only, naming both settings", () => {
    const choice = listenChoiceOf(fixture("preferences-eth0-ipv4.json"));
    expect(ipv6ListeningOf(choice as never)).toEqual({
      listens: false,
      setting: "current_network_interface = eth0, current_interface_address = 0.0.0.0",
      changeable: true,
    });
  });

  it("reads :: and an IPv6 address as listening, an IPv4 address as not, a bare interface as unknown", () => {
    const of = (networkInterface: string, address: string) =>
      ipv6ListeningOf({ networkInterface, address }).listens;
    expect(of("", "::")).toBe(true);
    expect(of("", "2001:db8::2")).toBe(true);
    expect(of("", "192.168.1.5")).toBe(false);
    expect(of("eth0", "")).toBeUndefined();
  });
});
