import { describe, expect, it } from "vitest";
import { retransmitAfter } from "./udp-probe.js";

describe("retransmission after a measured round trip", () => {
  const configured = { rto: 200, maxSends: 3, lastWaitFactor: 3 };

  it("waits in proportion to the path: short on a LAN, long on a slow link, bounded both ways", () => {
    expect(retransmitAfter(configured, 0.3).rto).toBe(50);
    expect(retransmitAfter(configured, 120).rto).toBe(360);
    expect(retransmitAfter(configured, 900).rto).toBe(1000);
    expect(retransmitAfter(configured, 120)).toMatchObject({ maxSends: 3, lastWaitFactor: 3 });
  });
});
