import { describe, expect, it } from "vitest";
import { ADDRESS_KINDS, type AddressKind, addressKindOf, meansAnotherNat } from "./index.js";

const kinds = (...ips: string[]) => ips.map((ip) => addressKindOf(ip));

describe("addressKindOf", () => {
  it("names each range and the addresses on its edges", () => {
    const cases: [string, AddressKind][] = [
      ["10.0.0.0", "private"],
      ["10.255.255.255", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.254", "private"],
      ["192.168.1.1", "private"],
      ["fd12:3456::1", "private"],
      ["100.64.0.1", "cgnat"],
      ["100.127.255.255", "cgnat"],
      ["127.0.0.1", "loopback"],
      ["::1", "loopback"],
      ["169.254.169.254", "link-local"],
      ["fe80::1", "link-local"],
      ["0.0.0.0", "reserved"],
      ["192.0.2.7", "reserved"],
      ["198.51.100.1", "reserved"],
      ["203.0.113.9", "reserved"],
      ["198.19.255.255", "reserved"],
      ["224.0.0.1", "reserved"],
      ["255.255.255.255", "reserved"],
      ["2001:db8::1", "reserved"],
      ["ff02::1", "reserved"],
      ["8.8.8.8", "public"],
      ["88.77.66.1", "public"],
      ["2a00:1450::1", "public"],
    ];
    expect(kinds(...cases.map(([ip]) => ip))).toEqual(cases.map(([, kind]) => kind));
  });

  it("keeps the ranges' neighbours public", () => {
    expect(
      kinds("11.0.0.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.0", "169.253.255.255"),
    ).toEqual(Array(6).fill("public"));
  });

  it("judges an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(kinds("::ffff:192.168.1.1", "::ffff:8.8.8.8")).toEqual(["private", "public"]);
  });

  it("does not judge what is no address", () => {
    expect(kinds("", "router", "10.0.0", "10.0.0.256", "not.an.ip.addr")).toEqual(Array(5).fill(undefined));
  });
});

describe("meansAnotherNat", () => {
  it("is true for the kinds a router's WAN side holds only behind another NAT", () => {
    expect(ADDRESS_KINDS.filter(meansAnotherNat)).toEqual(["private", "cgnat", "link-local"]);
  });
});
