import { afterEach, describe, expect, test, vi } from "vitest";
import { MIN_RETRY_DELAY_MS } from "./backoff.js";
import {
  failureReason,
  lossReason,
  networkChangeAction,
  openReason,
  planAfterLoss,
  Recovery,
  type RecoveryTiming,
} from "./recovery.js";

const timing: RecoveryTiming = {
  stableAfterMs: 5_000,
  backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
};
const middle = () => 0.5;

afterEach(() => {
  vi.useRealTimers();
});

describe("planAfterLoss", () => {
  test("a session that lived past stableAfterMs re-punches at once and clears the short sessions", () => {
    expect(planAfterLoss(5_000, 3, timing, middle)).toEqual({ shortSessions: 0, delayMs: undefined });
  });

  test("sessions lost soon after opening wait, longer with each one in a row, up to the cap", () => {
    let shortSessions = 0;
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const plan = planAfterLoss(100, shortSessions, timing, middle);
      shortSessions = plan.shortSessions;
      delays.push(plan.delayMs);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(shortSessions).toBe(5);
  });

  test("with stableAfterMs 0 every loss re-punches at once", () => {
    expect(planAfterLoss(0, 0, { ...timing, stableAfterMs: 0 }, middle).delayMs).toBeUndefined();
  });
});

describe("reasons", () => {
  test("a stable loss says where the re-punch starts; a short one how long it lived and the wait", () => {
    const wording = { noun: "mapping", from: "local UDP port 51413" };
    expect(lossReason("no answer", 9_000, { shortSessions: 0, delayMs: undefined }, wording)).toBe(
      "no answer; re-punching from local UDP port 51413",
    );
    expect(lossReason("no answer", 1_250, { shortSessions: 2, delayMs: 2_000 }, wording)).toBe(
      "no answer; the mapping was open only 1.3 s, re-punching in 2.0 s",
    );
  });

  test("a failure names its number and the wait", () => {
    expect(failureReason("no STUN server answered", 3, 4_000)).toBe(
      "no STUN server answered; retry 3 in 4.0 s",
    );
  });

  test("an open after a loss says how long the recovery took and whether the public address moved", () => {
    const a = { ip: "203.0.113.1", port: 41_000 };
    const b = { ip: "203.0.113.1", port: 42_000 };
    expect(openReason("here", undefined, a, undefined)).toBe("open at here");
    expect(openReason("here", a, { ...a }, 1_500)).toBe(
      "recovered in 1.5 s, public address unchanged: open at here",
    );
    expect(openReason("here", a, b, 800)).toBe(
      "recovered in 0.8 s, public address 203.0.113.1:41000 -> 203.0.113.1:42000: open at here",
    );
  });
});

describe("networkChangeAction", () => {
  test("an open session is lost, a failing one waiting for its retry retries now, anything else waits", () => {
    expect(networkChangeAction("OPEN", false)).toBe("lose");
    expect(networkChangeAction("FAILED", true)).toBe("retry-now");
    expect(networkChangeAction("FAILED", false)).toBe("ignore");
    expect(networkChangeAction("RECOVERING", true)).toBe("ignore");
    expect(networkChangeAction("OPENING", false)).toBe("ignore");
    expect(networkChangeAction("STOPPED", false)).toBe("ignore");
  });
});

function makeRecovery(overrides: Partial<RecoveryTiming> = {}) {
  const runs: number[] = [];
  const entered: string[] = [];
  const lost: string[] = [];
  const recovery = new Recovery({ ...timing, ...overrides }, middle, {
    run: (generation) => {
      runs.push(generation);
      recovery.cancelRetry();
    },
    enter: (state, reason) => entered.push(`${state}: ${reason}`),
    lose: (generation, reason) => lost.push(`${generation}: ${reason}`),
  });
  return { recovery, runs, entered, lost };
}

describe("Recovery", () => {
  test("failures are retried after growing delays, only while their generation is current", async () => {
    vi.useFakeTimers();
    const { recovery, runs, entered } = makeRecovery();
    const generation = recovery.begin();
    recovery.failed(generation, "refused");
    expect(entered).toEqual(["FAILED: refused; retry 1 in 1.0 s"]);
    expect(recovery.retryPending).toBe(true);
    expect(recovery.counters.nextRetryAt?.getTime()).toBe(Date.now() + 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual([generation]);
    recovery.failed(generation, "refused");
    expect(entered.at(-1)).toBe("FAILED: refused; retry 2 in 2.0 s");
    expect(recovery.counters.failedAttempts).toBe(2);
    // A stop (a new generation) makes the pending retry stale: it never runs.
    recovery.supersede();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([generation]);
  });

  test("a stable session lost re-punches at once in a new generation, after releasing what it held", () => {
    vi.useFakeTimers();
    const { recovery, runs, entered } = makeRecovery();
    const first = recovery.begin();
    expect(recovery.opened(Date.now())).toBeUndefined();
    const openedAt = Date.now();
    vi.advanceTimersByTime(6_000);
    const order: string[] = [];
    recovery.lost("keep-alive reset", openedAt, { noun: "tunnel", from: "local port 40000" }, () =>
      order.push(`release in generation ${recovery.generation}`),
    );
    expect(order).toEqual([`release in generation ${first + 1}`]);
    expect(recovery.isCurrent(first)).toBe(false);
    expect(entered).toEqual(["RECOVERING: keep-alive reset; re-punching from local port 40000"]);
    expect(runs).toEqual([first + 1]);
    vi.advanceTimersByTime(700);
    expect(recovery.opened(Date.now())).toBe(700);
    expect(recovery.counters).toMatchObject({ recoveryCount: 1, lastRecoveryMs: 700, failedAttempts: 0 });
  });

  test("sessions lost right after opening wait before re-punching, longer each time, never under the floor", async () => {
    vi.useFakeTimers();
    const { recovery, runs, entered } = makeRecovery({
      backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
    });
    recovery.begin();
    const wording = { noun: "mapping", from: "local UDP port 51413" };
    recovery.lost("gone", Date.now(), wording, () => {});
    expect(runs).toEqual([]);
    expect(recovery.counters.nextRetryAt?.getTime()).toBe(Date.now() + MIN_RETRY_DELAY_MS);
    expect(entered.at(-1)).toBe("RECOVERING: gone; the mapping was open only 0.0 s, re-punching in 0.1 s");
    await vi.advanceTimersByTimeAsync(MIN_RETRY_DELAY_MS);
    expect(runs).toHaveLength(1);
    recovery.opened(Date.now());
    recovery.lost("gone", Date.now(), wording, () => {});
    expect(entered.at(-1)).toContain("re-punching in 0.1 s");
    recovery.opened(Date.now());
    recovery.lost("gone", Date.now(), wording, () => {});
    expect(entered.at(-1)).toContain("re-punching in 0.2 s");
    // A network change while waiting after a short session is not a failed retry to cut short.
    expect(networkChangeAction("RECOVERING", recovery.retryPending)).toBe("ignore");
  });

  test("begin clears failures and short sessions left from an earlier run", async () => {
    vi.useFakeTimers();
    const { recovery, entered } = makeRecovery();
    const generation = recovery.begin();
    recovery.failed(generation, "refused");
    recovery.failed(generation, "refused");
    recovery.cancelRetry();
    expect(recovery.counters.nextRetryAt).toBeUndefined();
    const again = recovery.begin();
    expect(recovery.counters.failedAttempts).toBe(0);
    recovery.failed(again, "refused");
    expect(entered.at(-1)).toBe("FAILED: refused; retry 1 in 1.0 s");
  });

  test("a network change loses an open session, and cuts a failed one's wait short after saying so", async () => {
    vi.useFakeTimers();
    const { recovery, runs, lost } = makeRecovery();
    const generation = recovery.begin();
    const said: string[] = [];
    recovery.networkChanged("OPEN", "default route now via wg0", () => said.push("open"));
    expect(lost).toEqual([`${generation}: default route now via wg0`]);
    recovery.networkChanged("FAILED", "address added", () => said.push("failed, nothing pending"));
    expect(runs).toEqual([]);
    recovery.failed(generation, "refused");
    recovery.networkChanged("FAILED", "address added", () =>
      said.push(`retrying, ${runs.length} runs so far`),
    );
    expect(said).toEqual(["retrying, 0 runs so far"]);
    expect(runs).toEqual([generation]);
    expect(recovery.retryPending).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([generation]);
  });
});
