import { describe, expect, it } from "vitest";
import { FailureBackoff } from "./failure-backoff.js";

/** A backoff on a clock the test moves by hand. */
function backoffAt(options: ConstructorParameters<typeof FailureBackoff>[0] = {}) {
  const clock = { now: 1_000_000 };
  const backoff = new FailureBackoff({ ...options, now: () => clock.now });
  return { backoff, clock };
}

describe("FailureBackoff", () => {
  it("lets a few failures pass, then makes the client wait longer after each one, up to a cap", () => {
    const { backoff } = backoffAt({ freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 8_000 });
    const delays = Array.from({ length: 8 }, () => backoff.recordFailure("10.0.0.9").delayMs);
    expect(delays).toEqual([0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(backoff.retryAfterMs("10.0.0.9")).toBe(8_000);
    expect(backoff.retryAfterMs("10.0.0.10")).toBe(0);
  });

  it("lets the client try again once its wait is over, and forgets it after a success", () => {
    const { backoff, clock } = backoffAt({ freeFailures: 0, baseDelayMs: 1_000 });
    backoff.recordFailure("10.0.0.9");
    expect(backoff.retryAfterMs("10.0.0.9")).toBe(1_000);
    clock.now += 1_000;
    expect(backoff.retryAfterMs("10.0.0.9")).toBe(0);
    backoff.recordSuccess("10.0.0.9");
    expect(backoff.recordFailure("10.0.0.9").failures).toBe(1);
  });

  it("starts afresh after a long quiet spell", () => {
    const { backoff, clock } = backoffAt({ freeFailures: 1, forgetAfterMs: 60_000 });
    backoff.recordFailure("10.0.0.9");
    backoff.recordFailure("10.0.0.9");
    clock.now += 60_001;
    expect(backoff.recordFailure("10.0.0.9")).toEqual({ failures: 1, delayMs: 0 });
  });

  it("remembers at most maxEntries clients, forgetting the stalest first", () => {
    const { backoff } = backoffAt({ freeFailures: 0, maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) backoff.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(backoff.size).toBe(100);
    expect(backoff.retryAfterMs("10.0.0.0")).toBe(0);
    expect(backoff.retryAfterMs("10.0.3.231")).toBeGreaterThan(0);
  });

  it("counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4 address", () => {
    expect(FailureBackoff.clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(FailureBackoff.clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(FailureBackoff.clientKey("2001:db8::5")).toBe("2001:db8:0:0::/64");
    expect(FailureBackoff.clientKey("::1")).toBe("0:0:0:0::/64");
    expect(FailureBackoff.clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(FailureBackoff.clientKey("192.0.2.7")).toBe("192.0.2.7");
    expect(FailureBackoff.clientKey(undefined)).toBe("unknown");
  });
});
