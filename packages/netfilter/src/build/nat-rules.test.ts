import { describe, expect, it } from "vitest";
import { dnatRule, inboundTcpMatch, inboundUdpMatch, redirectRule } from "./nat-rules.js";
import { tableScript } from "./table-script.js";

describe("NAT rule builders", () => {
  const inbound = inboundTcpMatch(40_555);

  it("match only new traffic from other machines to an address of this host", () => {
    expect(inbound).toBe('iifname != "lo" meta nfproto ipv4 fib daddr type local tcp dport 40555');
    expect(inboundUdpMatch(40_556)).toBe(
      'iifname != "lo" meta nfproto ipv4 fib daddr type local udp dport 40556',
    );
  });

  it("DNAT to an endpoint and redirect to a local port, each with an optional named counter", () => {
    expect(dnatRule(inbound, { ip: "127.0.0.1", port: 6881 }, "qb_handled")).toBe(
      `${inbound} counter name "qb_handled" dnat ip to 127.0.0.1:6881`,
    );
    expect(redirectRule(inbound, 41_000)).toBe(`${inbound} redirect to :41000`);
  });

  it("refuse what would splice foreign text or an impossible port into a script", () => {
    expect(() => inboundTcpMatch(0)).toThrow(/inbound port must be a port 1-65535/);
    expect(() => inboundUdpMatch(65_536)).toThrow(/inbound UDP port must be a port 1-65535/);
    expect(() => dnatRule(inbound, { ip: "10.0.0.0/8", port: 1 })).toThrow(/one address/);
    expect(() => dnatRule(inbound, { ip: "1.2.3.4; flush ruleset", port: 1 })).toThrow(/not an IPv4/);
    expect(() => redirectRule(inbound, 70_000)).toThrow(/redirect port/);
    expect(() => redirectRule(inbound, 80, 'x" drop')).toThrow(/not usable as an nftables name/);
  });
});

describe("tableScript with counters and initial set elements", () => {
  it("declares named counters (with carried-over counts) and elements in the new table", () => {
    const script = tableScript({
      table: { family: "inet", name: "autostun" },
      counters: [{ name: "fresh" }, { name: "kept", packets: 3, bytes: 180 }],
      sets: [{ name: "ban", type: "ipv4_addr", flags: ["timeout"], elements: ["192.0.2.7 timeout 60s"] }],
    });
    expect(script).toContain("  counter fresh { }\n  counter kept { packets 3 bytes 180 }\n");
    expect(script).toContain(
      "  set ban { type ipv4_addr; flags timeout; elements = { 192.0.2.7 timeout 60s }; }",
    );
    expect(() => tableScript({ table: { family: "inet", name: "t" }, counters: [{ name: "a b" }] })).toThrow(
      /not usable/,
    );
  });
});
