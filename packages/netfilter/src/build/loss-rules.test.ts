import { describe, expect, it } from "vitest";
import { randomDropRule } from "./loss-rules.js";

describe("randomDropRule", () => {
  it("drops the given share of one protocol, drawing a fresh random number per packet", () => {
    expect(randomDropRule("udp", 30)).toBe("meta l4proto udp numgen random mod 100 < 30 drop");
    expect(randomDropRule("tcp", 100)).toBe("meta l4proto tcp numgen random mod 100 < 100 drop");
  });

  it("gives no rule for 0 %", () => {
    expect(randomDropRule("udp", 0)).toBeUndefined();
  });

  it("refuses what is not a whole percentage or not udp/tcp, naming it", () => {
    expect(() => randomDropRule("udp", 101)).toThrow(/loss of udp must be a whole percentage 0-100, not 101/);
    expect(() => randomDropRule("tcp", 2.5)).toThrow(/not 2\.5/);
    expect(() => randomDropRule("udp", Number.NaN)).toThrow(/whole percentage/);
    expect(() => randomDropRule("icmp" as "udp", 5)).toThrow(/udp or tcp, not "icmp"/);
  });
});
