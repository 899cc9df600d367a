import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv6ListeningOf, peersOf, torrentsOf } from "./aria2-ipv6.js";

// Answers recorded from aria2c 1.36.0 in a netlab IPv6 lab: a libtorrent peer at 2a0b:8877:66::22
// had connected to aria2's BitTorrent port over IPv6.
const result = (name: string): unknown =>
  (JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as { result: unknown })
    .result;

describe("aria2 peers and IPv6 listening from its own answers", () => {
  it("lists the IPv6 peer of the active torrent, direction unknown, over TCP", () => {
    const [torrent] = torrentsOf(result("tell-active.json"));
    expect(torrent?.infoHash).toBe("eff3714825d53568d1e1d9bb931967ec34c1810e");
    expect(peersOf(torrent?.infoHash as string, result("get-peers.json"))).toEqual([
      {
        address: "[2a0b:8877:66::22]:0",
        incoming: undefined,
        transport: "TCP",
        infoHash: "eff3714825d53568d1e1d9bb931967ec34c1810e",
      },
    ]);
  });

  it("reads disable-ipv6 = false as listening, and not changeable: aria2 answered OK and kept it", () => {
    expect(ipv6ListeningOf(result("get-global-option.json") as Record<string, unknown>)).toEqual({
      listens: true,
      setting: "disable-ipv6 = false",
      changeable: false,
    });
    expect(result("change-global-option-disable-ipv6.json")).toBe("OK");
    expect(ipv6ListeningOf({ "disable-ipv6": "true" }).listens).toBe(false);
  });
});
