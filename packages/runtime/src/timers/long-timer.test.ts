import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { afterDelay, every, MAX_TIMER_MS } from "./long-timer.js";

const DAY = 24 * 60 * 60 * 1000;

describe("timers longer than Node allows", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows the trap: a plain setInterval past 2^31-1 ms fires after 1 ms", () => {
    const fired = vi.fn();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const handle = setInterval(fired, 25 * DAY);
    vi.advanceTimersByTime(10);
    clearInterval(handle);
    warn.mockRestore();
    expect(fired.mock.calls.length).toBeGreaterThan(1);
  });

  it("fires a 30-day delay once, after 30 days, not before", () => {
    const fired = vi.fn();
    afterDelay(30 * DAY, fired);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    vi.advanceTimersByTime(5 * DAY);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY - MAX_TIMER_MS - 5 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("repeats a 25-day period 3 times in 75 days, and stops when cancelled", () => {
    const fired = vi.fn();
    const timer = every(25 * DAY, fired);
    vi.advanceTimersByTime(75 * DAY);
    expect(fired).toHaveBeenCalledTimes(3);
    timer.dispose();
    vi.advanceTimersByTime(100 * DAY);
    expect(fired).toHaveBeenCalledTimes(3);
  });

  it("cancels a delay that is between steps", () => {
    const fired = vi.fn();
    const timer = afterDelay(1000, fired, 300);
    vi.advanceTimersByTime(700);
    timer.dispose();
    vi.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
  });

  it("refuses a delay that is not a time", () => {
    expect(() => afterDelay(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => every(0, () => {})).toThrow(/at least 1 ms/);
  });
});
