import { describe, expect, test } from "vitest";
import { resolveOptions } from "./options.js";
import type { LabOptions } from "./types.js";

describe("createLab options", () => {
  test("defaults: port-preserving router and our own STUN server", () => {
    expect(resolveOptions({ nat: "NAT2" })).toEqual({
      nat: "NAT2",
      portPreserving: true,
      stun: "ours",
      tcpSymmetric: false,
      loss: {},
      homeRouter: false,
      portPool: false,
      ipv6: false,
    });
  });

  test("ipv6 is kept as given, firewall on or off", () => {
    expect(resolveOptions({ nat: "NAT3", ipv6: { firewall: true } }).ipv6).toEqual({ firewall: true });
    expect(resolveOptions({ nat: "OPEN", ipv6: { firewall: false } }).ipv6).toEqual({ firewall: false });
  });

  test("ipv6 combines with a home router (the two-level IPv6 lab)", () => {
    expect(
      resolveOptions({ nat: "NAT1", ipv6: { firewall: true }, homeRouter: { upnp: "allow" } }),
    ).toMatchObject({ ipv6: { firewall: true }, homeRouter: { upnp: "allow" } });
  });

  test("a port pool makes the router remap, so portPreserving defaults to false", () => {
    const pool = { first: 20480, size: 1024, random: true };
    expect(resolveOptions({ nat: "NAT1", portPool: pool })).toMatchObject({
      portPreserving: false,
      portPool: pool,
    });
  });

  test.for([
    [{ nat: "NAT5" }, /options\.nat must be one of NAT1, NAT2, NAT3, NAT4, OPEN, UDP_BLOCKED; got "NAT5"/],
    [{ nat: "NAT1", stun: "stund" }, /options\.stun must be one of ours, coturn, none; got "stund"/],
    [{ nat: "OPEN", tcpSymmetric: true }, /tcpSymmetric needs a NAT; OPEN has none/],
    [{ nat: "NAT1", portPreserving: "no" }, /options\.portPreserving must be a boolean; got "no"/],
    [null, /options must be an object/],
    [{ nat: "NAT1", loss: { udp: 130 } }, /loss of udp must be a whole percentage 0-100, not 130/],
    [{ nat: "NAT1", loss: { icmp: 5 } }, /loss takes udp and tcp percentages; got the key "icmp"/],
    [{ nat: "NAT1", loss: 30 }, /loss must be an object like \{ udp: 30 \}/],
    [
      { nat: "NAT1", homeRouter: { upnp: "maybe" } },
      /options\.homeRouter must be false or \{ upnp: "allow" \| "deny" \}/,
    ],
    [{ nat: "OPEN", homeRouter: { upnp: "allow" } }, /homeRouter needs a NAT in front; OPEN has none/],
    [{ nat: "NAT1", portPool: 1024 }, /options\.portPool must be false or \{ first, size, random \}/],
    [
      { nat: "NAT1", portPool: { first: 0, size: 1024, random: true } },
      /portPool\.first must be a port 1-65535; got 0/,
    ],
    [
      { nat: "NAT1", portPool: { first: 20480, size: 1.5, random: true } },
      /portPool\.size must be a whole number >= 1; got 1\.5/,
    ],
    [
      { nat: "NAT1", portPool: { first: 65000, size: 1024, random: true } },
      /portPool runs past port 65535 .*ends at 66023/,
    ],
    [
      { nat: "NAT1", portPool: { first: 20480, size: 1024 } },
      /portPool\.random must be a boolean; got undefined/,
    ],
    [
      { nat: "OPEN", portPool: { first: 20480, size: 1024, random: true } },
      /portPool needs a NAT; OPEN has none/,
    ],
    [
      { nat: "NAT1", portPreserving: true, portPool: { first: 20480, size: 1024, random: true } },
      /portPool makes the router remap ports; it cannot be combined with portPreserving: true/,
    ],
    [{ nat: "NAT1", ipv6: true }, /options\.ipv6 must be false or \{ firewall: true \| false \}; got true/],
    [{ nat: "NAT1", ipv6: { firewall: "on" } }, /options\.ipv6 must be false or .*got \{"firewall":"on"\}/],
  ] as const)("%j is refused with an error naming the option", ([options, message]) => {
    expect(() => resolveOptions(options as unknown as LabOptions)).toThrow(message);
  });
});
