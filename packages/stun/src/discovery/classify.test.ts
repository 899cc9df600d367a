import { describe, expect, it } from "vitest";
import { classifyNat, filteringFromTests, mappingFromServers, mappingFromTests } from "./classify.js";
import type { NatBehaviour, NatType } from "./types.js";
import { judgeChangeReply } from "./udp-probe.js";

const BEHAVIOURS: NatBehaviour[] = [
  "ENDPOINT_INDEPENDENT",
  "ADDRESS_DEPENDENT",
  "ADDRESS_AND_PORT_DEPENDENT",
  "UNKNOWN",
];
const base = { udpServersProbed: 1, udpAnswered: true, udpSilenceConfirmed: false, mappedIsLocal: false };

describe("classifyNat", () => {
  const expected: Record<NatBehaviour, Record<NatBehaviour, NatType>> = {
    ENDPOINT_INDEPENDENT: {
      ENDPOINT_INDEPENDENT: "NAT1",
      ADDRESS_DEPENDENT: "NAT2",
      ADDRESS_AND_PORT_DEPENDENT: "NAT3",
      UNKNOWN: "UNKNOWN",
    },
    ADDRESS_DEPENDENT: {
      ENDPOINT_INDEPENDENT: "NAT4",
      ADDRESS_DEPENDENT: "NAT4",
      ADDRESS_AND_PORT_DEPENDENT: "NAT4",
      UNKNOWN: "NAT4",
    },
    ADDRESS_AND_PORT_DEPENDENT: {
      ENDPOINT_INDEPENDENT: "NAT4",
      ADDRESS_DEPENDENT: "NAT4",
      ADDRESS_AND_PORT_DEPENDENT: "NAT4",
      UNKNOWN: "NAT4",
    },
    UNKNOWN: {
      ENDPOINT_INDEPENDENT: "UNKNOWN",
      ADDRESS_DEPENDENT: "UNKNOWN",
      ADDRESS_AND_PORT_DEPENDENT: "UNKNOWN",
      UNKNOWN: "UNKNOWN",
    },
  };
  for (const mapping of BEHAVIOURS) {
    for (const filtering of BEHAVIOURS) {
      const want = expected[mapping][filtering];
      it(`mapping ${mapping} + filtering ${filtering} -> ${want}`, () => {
        expect(classifyNat({ ...base, mapping, filtering })).toBe(want);
        // Whatever was measured, a mapped address that is our own means no NAT…
        expect(classifyNat({ ...base, mappedIsLocal: true, mapping, filtering })).toBe("OPEN");
        // …no UDP answer to enough datagrams means UDP is blocked, and to too few means nothing.
        expect(
          classifyNat({ ...base, udpAnswered: false, udpSilenceConfirmed: true, mapping, filtering }),
        ).toBe("UDP_BLOCKED");
        expect(classifyNat({ ...base, udpAnswered: false, mapping, filtering })).toBe("UNKNOWN");
      });
    }
  }
  it("is UNKNOWN, not UDP_BLOCKED, when no UDP server could even be tried", () => {
    expect(
      classifyNat({
        udpServersProbed: 0,
        udpAnswered: false,
        udpSilenceConfirmed: true,
        mappedIsLocal: false,
        mapping: "UNKNOWN",
        filtering: "UNKNOWN",
      }),
    ).toBe("UNKNOWN");
  });
});

describe("behaviour from RFC 5780 tests", () => {
  const m = (address: string, port: number) => ({ address, port });
  it("mapping: same in I and II is endpoint independent; II==III address dependent; else address and port dependent", () => {
    expect(mappingFromTests(m("203.0.113.1", 5000), m("203.0.113.1", 5000), undefined)).toBe(
      "ENDPOINT_INDEPENDENT",
    );
    expect(mappingFromTests(m("203.0.113.1", 5000), m("203.0.113.1", 5001), m("203.0.113.1", 5001))).toBe(
      "ADDRESS_DEPENDENT",
    );
    expect(mappingFromTests(m("203.0.113.1", 5000), m("203.0.113.1", 5001), m("203.0.113.1", 5002))).toBe(
      "ADDRESS_AND_PORT_DEPENDENT",
    );
    expect(mappingFromTests(m("203.0.113.1", 5000), m("203.0.113.1", 5001), undefined)).toBe(
      "ADDRESS_DEPENDENT",
    );
    expect(mappingFromTests(m("203.0.113.1", 5000), undefined, undefined)).toBe("UNKNOWN");
    expect(mappingFromTests(undefined, undefined, undefined)).toBe("UNKNOWN");
    expect(mappingFromTests(m("2001:db8::1", 1), m("2001:0db8:0:0::1", 1))).toBe("ENDPOINT_INDEPENDENT");
  });
  it("filtering: an answer from the other IP and port is independent; from the other port only, address dependent", () => {
    expect(filteringFromTests(true, true)).toBe("ENDPOINT_INDEPENDENT");
    expect(filteringFromTests(true, false)).toBe("ENDPOINT_INDEPENDENT");
    expect(filteringFromTests(false, true)).toBe("ADDRESS_DEPENDENT");
    expect(filteringFromTests(false, false)).toBe("ADDRESS_AND_PORT_DEPENDENT");
  });
  it("server comparison fallback", () => {
    const s1 = m("198.51.100.1", 3478);
    const s2 = m("198.51.100.2", 3478);
    const s1b = m("198.51.100.1", 19302);
    expect(mappingFromServers([{ server: s1, mapped: m("203.0.113.1", 7000) }])).toBe("UNKNOWN");
    expect(
      mappingFromServers([
        { server: s1, mapped: m("203.0.113.1", 7000) },
        { server: s2, mapped: m("203.0.113.1", 7000) },
      ]),
    ).toBe("ENDPOINT_INDEPENDENT");
    expect(
      mappingFromServers([
        { server: s1, mapped: m("203.0.113.1", 7000) },
        { server: s2, mapped: m("203.0.113.1", 7001) },
      ]),
    ).toBe("ADDRESS_DEPENDENT");
    expect(
      mappingFromServers([
        { server: s1, mapped: m("203.0.113.1", 7000) },
        { server: s1b, mapped: m("203.0.113.1", 7001) },
      ]),
    ).toBe("ADDRESS_AND_PORT_DEPENDENT");
  });
});

describe("judging CHANGE-REQUEST replies by their real source", () => {
  const other = { address: "198.51.100.2", port: 3479 };
  const reply = (
    from: { address: string; port: number },
    origin?: { address: string; port: number },
    cls: "success" | "error" = "success",
  ) => ({
    status: "fulfilled" as const,
    value: {
      transport: "udp" as const,
      from: { family: "IPv4" as const, ...from },
      local: { address: "0.0.0.0", port: 1 },
      rttMs: 1,
      sampleRttMs: 1,
      message: {
        method: 1,
        class: cls,
        transactionId: new Uint8Array(12),
        attributes: origin
          ? [{ type: "RESPONSE-ORIGIN" as const, value: { family: "IPv4" as const, ...origin } }]
          : [],
      },
    },
  });
  it("honoured only when the packet came from the expected address, whatever RESPONSE-ORIGIN says", () => {
    expect(judgeChangeReply(reply(other, other), other)).toBe("honoured");
    expect(judgeChangeReply(reply(other), other)).toBe("honoured");
    expect(judgeChangeReply(reply({ address: "198.51.100.1", port: 3478 }, other), other)).toBe("lied");
    expect(
      judgeChangeReply(
        reply({ address: "198.51.100.1", port: 3478 }, { address: "198.51.100.1", port: 3478 }),
        other,
      ),
    ).toBe("ignored");
    expect(judgeChangeReply(reply({ address: "198.51.100.1", port: 3478 }), other)).toBe("ignored");
    expect(judgeChangeReply(reply(other, undefined, "error"), other)).toBe("ignored");
    expect(judgeChangeReply({ status: "rejected", reason: new Error("timeout") }, other)).toBe("no-answer");
  });
});
