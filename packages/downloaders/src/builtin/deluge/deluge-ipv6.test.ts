import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv6ListeningOf, peersFromStatus } from "./deluge-ipv6.js";

// Answers recorded from deluged 2.0.3 through deluge-web in a netlab IPv6 lab: listen_interface set to
// "[::]", then a libtorrent peer at 2a0b:8877:66::23 connected to the client over IPv6.
const result = (name: string): unknown =>
  (JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as { result: unknown })
    .result;

describe("Deluge peers and IPv6 listening from its own answers", () => {
  it("brackets the IPv6 peer Deluge glues to its port, and says nothing of direction", () => {
    expect(peersFromStatus(result("get-torrents-status-peers.json"))).toEqual([
      {
        address: expect.stringMatching(/^\[2a0b:8877:66::23\]:\d+$/),
        incoming: undefined,
        client: "autostun-lab-swarm-peer",
        infoHash: "eff3714825d53568d1e1d9bb931967ec34c1810e",
      },
    ]);
  });

  it("reads 2.0's empty listen_interface as IPv4 only and a bracketed IPv6 one as listening", () => {
    const version = result("get-version.json") as string;
    expect(version).toMatch(/^2\.0\./);
    expect(ipv6ListeningOf(result("listen-interface-default.json") as string, version)).toEqual({
      listens: false,
      setting: 'listen_interface = "" (0.0.0.0)',
      changeable: false,
    });
    expect(ipv6ListeningOf(result("listen-interface-bracketed.json") as string, version).listens).toBe(true);
    // A bare "::" makes a listen string libtorrent refuses: 2.0 then listens nowhere.
    expect(ipv6ListeningOf("::", version).listens).toBe(false);
    expect(ipv6ListeningOf("eth0", version).listens).toBeUndefined();
    expect(ipv6ListeningOf("", "2.1.1").listens).toBeUndefined();
  });
});
