import type { IdentifiedDownloader, IdentifyOptions } from "@autostun/downloaders";
import type { InterfaceAddress } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { discoverDownloaders } from "./discover.js";

/** Which candidates discovery tries and how it merges answers; the real clients are in the lab test. */

const addresses: InterfaceAddress[] = [
  { interface: "lo", address: "127.0.0.1", family: "IPv4", netmask: "255.0.0.0", internal: true },
  { interface: "eth0", address: "192.168.1.5", family: "IPv4", netmask: "255.255.255.0", internal: false },
  {
    interface: "eth0",
    address: "fe80::1",
    family: "IPv6",
    netmask: "ffff:ffff:ffff:ffff::",
    internal: false,
  },
];

function recorder(answers: Record<string, Omit<IdentifiedDownloader, "url">> = {}) {
  const connected: string[] = [];
  const identified: string[] = [];
  return {
    connected,
    identified,
    connectable: async (host: string, port: number) => {
      connected.push(`${host}:${port}`);
      return Object.keys(answers).some((url) => url.startsWith(`http://${host}:${port}`));
    },
    identify: async (url: string, _options: IdentifyOptions) => {
      identified.push(url);
      const answer = answers[url];
      return answer ? { ...answer, url } : undefined;
    },
  };
}

describe("discoverDownloaders", () => {
  it("tries the four default ports on loopback and every own address, never link-local or off-host", async () => {
    const probe = recorder();
    await discoverDownloaders({
      addresses,
      configured: [{ kind: "qbittorrent", url: "http://192.168.1.20:8080" }],
      ...probe,
    });
    expect(new Set(probe.connected)).toEqual(
      new Set(["127.0.0.1", "192.168.1.5"].flatMap((h) => [8080, 9091, 8112, 6800].map((p) => `${h}:${p}`))),
    );
  });

  it("adds the port and the exact URL of a configured downloader on this host", async () => {
    const probe = recorder({
      "http://127.0.0.1:18080/qb": { kind: "qbittorrent", version: "4.5.2", needsCredentials: true },
    });
    const found = await discoverDownloaders({
      addresses,
      configured: [{ kind: "qbittorrent", url: "http://127.0.0.1:18080/qb/" }],
      ...probe,
    });
    expect(probe.connected).toContain("192.168.1.5:18080");
    expect(found).toEqual([
      {
        kind: "qbittorrent",
        url: "http://127.0.0.1:18080/qb",
        version: "4.5.2",
        needsCredentials: true,
        alreadyConfigured: true,
      },
    ]);
  });

  it("lists a client answering on several addresses once, under loopback", async () => {
    const probe = recorder({
      "http://192.168.1.5:6800": { kind: "aria2", version: "1.36.0", needsCredentials: false },
      "http://127.0.0.1:6800": { kind: "aria2", version: "1.36.0", needsCredentials: false },
    });
    const found = await discoverDownloaders({ addresses, configured: [], ...probe });
    expect(found).toEqual([
      {
        kind: "aria2",
        url: "http://127.0.0.1:6800",
        version: "1.36.0",
        needsCredentials: false,
        alreadyConfigured: false,
      },
    ]);
  });

  it("identifies only ports that take a connection", async () => {
    const probe = recorder({ "http://127.0.0.1:9091": { kind: "transmission", needsCredentials: true } });
    const found = await discoverDownloaders({ addresses, configured: [], ...probe });
    expect(probe.identified).toEqual(["http://127.0.0.1:9091"]);
    expect(found[0]).toMatchObject({ kind: "transmission", version: null, alreadyConfigured: false });
  });
});
