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
  ] as const)("%j is refused with an error naming the option", ([options, message]) => {
    expect(() => resolveOptions(options as unknown as LabOptions)).toThrow(message);
  });
});
