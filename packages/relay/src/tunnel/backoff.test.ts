import { describe, expect, test } from "vitest";
import { MIN_RETRY_DELAY_MS, retryDelay } from "./backoff.js";

const policy = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.3 };
const middle = () => 0.5;

describe("retryDelay", () => {
  test("doubles from the first delay and stops growing at the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelay(n, policy, middle));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test("jitter spreads each delay by at most the configured fraction, never past the cap", () => {
    expect(retryDelay(3, policy, () => 0)).toBe(2_800);
    expect(retryDelay(3, policy, () => 0.999_999)).toBe(5_200);
    expect(retryDelay(30, policy, () => 0.999_999)).toBe(60_000);
    const seen = new Set(Array.from({ length: 50 }, () => retryDelay(2, policy)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) expect(d >= 1_400 && d <= 2_600).toBe(true);
  });

  test("never retries in a tight loop, whatever the policy says", () => {
    const eager = { initialMs: 0, maxMs: 5, factor: 1, jitter: 1 };
    for (const n of [0, 1, 2, 50])
      expect(retryDelay(n, eager, () => 0)).toBeGreaterThanOrEqual(MIN_RETRY_DELAY_MS);
  });
});
