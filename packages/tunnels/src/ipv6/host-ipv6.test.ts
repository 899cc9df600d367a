import { parseGlobalIpv6 as parseHostIpv6, parseListenerAddresses } from "@autostun/ip";
import { describe, expect, it } from "vitest";
import { placeDownloader, sameAddress } from "./downloader-ipv6-address.js";

/** `ip -j -6 addr` of a host with a temporary, a stable, a deprecated and a tentative address. */
const IP_ADDR = JSON.stringify([
  { ifname: "lo", addr_info: [{ family: "inet6", local: "::1", prefixlen: 128, scope: "host" }] },
  {
    ifname: "eth0",
    addr_info: [
      { family: "inet6", local: "2001:db8:1::beef", prefixlen: 64, scope: "global", temporary: true },
      { family: "inet6", local: "2001:db8:1::dead", prefixlen: 64, scope: "global", deprecated: true },
      { family: "inet6", local: "2001:db8:1::7", prefixlen: 64, scope: "global", tentative: true },
      { family: "inet6", local: "fd00::5", prefixlen: 64, scope: "global" },
      { family: "inet6", local: "2001:db8:1::10", prefixlen: 64, scope: "global" },
      { family: "inet6", local: "fe80::1", prefixlen: 64, scope: "link" },
    ],
  },
]);

describe("this host's IPv6", () => {
  it("keeps global unicast addresses that take connections, the stable one first", () => {
    expect(parseHostIpv6(IP_ADDR)).toEqual([
      { address: "2001:db8:1::10", interface: "eth0", prefixLength: 64, temporary: false },
      { address: "2001:db8:1::beef", interface: "eth0", prefixLength: 64, temporary: true },
    ]);
  });

  it("reads where the listeners on a port are bound from ss", () => {
    const ss = [
      "LISTEN 0 50 0.0.0.0:6881 0.0.0.0:*",
      "LISTEN 0 50 [2001:db8:1::beef]:6881 [::]:*",
      "LISTEN 0 50 [fe80::1]%eth0:6881 [::]:*",
      "LISTEN 0 50 [::]:8080 [::]:*",
    ].join("\n");
    expect(parseListenerAddresses(ss, 6881)).toEqual(["0.0.0.0", "2001:db8:1::beef", "fe80::1"]);
  });

  it("compares addresses however they are written", () => {
    expect(sameAddress("2001:DB8:0::10", "2001:db8::10")).toBe(true);
    expect(sameAddress("2001:db8::10", "2001:db8::11")).toBe(false);
    expect(sameAddress("192.168.1.2", "2001:db8::10")).toBe(false);
  });
});

describe("placing the downloader", () => {
  const globals = parseHostIpv6(IP_ADDR);
  const facts = { globals, localAddresses: ["127.0.0.1", "192.168.1.2", "2001:db8:1::10"] };

  it("puts a loopback target on this host's stable address", () => {
    expect(placeDownloader({ host: "127.0.0.1", scope: "loopback" }, facts)).toEqual({
      onThisHost: true,
      address: "2001:db8:1::10",
    });
  });

  it("takes the global address the target names", () => {
    expect(placeDownloader({ host: "2001:db8:1::beef", scope: "this-host" }, facts)).toEqual({
      onThisHost: true,
      address: "2001:db8:1::beef",
    });
  });

  it("takes the global address the downloader is bound to", () => {
    const place = placeDownloader(
      { host: "::1", scope: "loopback" },
      { ...facts, bound: ["2001:db8:1::beef"] },
    );
    expect(place).toEqual({ onThisHost: true, address: "2001:db8:1::beef" });
  });

  it("prefers the stable address when the downloader is bound to every address, as libtorrent binds", () => {
    const bound = ["0.0.0.0", "2001:db8:1::beef", "fe80::1", "2001:db8:1::10"];
    expect(placeDownloader({ host: "127.0.0.1", scope: "loopback" }, { ...facts, bound })).toEqual({
      onThisHost: true,
      address: "2001:db8:1::10",
    });
  });

  it("counts this host's own LAN address as this host and another LAN address as another machine", () => {
    expect(placeDownloader({ host: "192.168.1.2", scope: "lan" }, facts)).toMatchObject({ onThisHost: true });
    const elsewhere = placeDownloader({ host: "192.168.1.9", scope: "lan" }, facts);
    expect(elsewhere.onThisHost).toBe(false);
    expect(elsewhere.why).toMatch(/only to the host that asks/);
  });
});
