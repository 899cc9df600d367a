import { describe, expect, it } from "vitest";
import { elementsScript, elementText } from "./elements.js";
import { inboundTcpMatch6, inboundUdpMatch6 } from "./nat-rules.js";

describe("IPv6 set elements and inbound matches", () => {
  it("write IPv6 hosts and networks, with a timeout when given", () => {
    expect(elementText({ address: "2001:db8::7" }, 6)).toBe("2001:db8::7");
    expect(elementText({ address: "2001:db8:1::/48", timeoutSeconds: 60 }, 6)).toBe(
      "2001:db8:1::/48 timeout 60s",
    );
    const table = { family: "inet", name: "autostun" } as const;
    expect(
      elementsScript("add", { table, name: "t_ban6" }, [{ address: "2a0b::1", timeoutSeconds: 5 }], 6),
    ).toBe("add element inet autostun t_ban6 { 2a0b::1 timeout 5s }\n");
  });

  it("refuse an IPv6 text that is not an address, or a prefix beyond 128, and each family in the other's set", () => {
    expect(() => elementText({ address: "2001:db8::/129" }, 6)).toThrow(/not an IPv6 address or CIDR/);
    expect(() => elementText({ address: "2001:db8::1 } ; flush ruleset" }, 6)).toThrow(/not an IPv6/);
    expect(() => elementText({ address: "2001:db8:::1" }, 6)).toThrow(/"2001:db8:::1" is not an IPv6/);
    expect(() => elementText({ address: "192.0.2.7" }, 6)).toThrow(/not an IPv6/);
    expect(() => elementText({ address: "2001:db8::7" })).toThrow(/not an IPv4 address or CIDR/);
  });

  it("match inbound IPv6 to a port of this host from other machines, IPv6 only", () => {
    expect(inboundTcpMatch6(6881)).toBe(
      'iifname != "lo" meta nfproto ipv6 fib daddr type local tcp dport 6881',
    );
    expect(inboundUdpMatch6(6881)).toBe(
      'iifname != "lo" meta nfproto ipv6 fib daddr type local udp dport 6881',
    );
    expect(() => inboundTcpMatch6(0)).toThrow(/inbound IPv6 port must be a port 1-65535/);
  });
});
