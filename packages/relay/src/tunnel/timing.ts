import type { BackoffPolicy } from "./backoff.js";

/** Every delay and bound a tunnel uses. Defaults suit a home connection; tests shrink them. */
export interface TunnelTiming {
  /** Between two keep-alive requests (config `keepalive.intervalSeconds`). */
  keepaliveIntervalMs: number;
  /** A keep-alive request unanswered this long counts as a lost mapping. */
  keepaliveAnswerTimeoutMs: number;
  /**
   * After this much silence on the keep-alive connection the kernel sends a TCP keep-alive probe
   * (an empty ACK, about 60 bytes each way, no HTTP request to the target). Once the router has
   * lost the mapping or changed its WAN address, the probe leaves under a new source and the target
   * answers with a reset, so a loss shows within about this long instead of at the next HTTP
   * keep-alive. Whole seconds (the kernel's unit); the HTTP cadence stays `keepaliveIntervalMs`.
   */
  livenessProbeMs: number;
  /** Between two STUN rechecks of the public IP. */
  recheckIntervalMs: number;
  /** Between two looks at the local addresses and default routes. */
  networkPollMs: number;
  /** Cap on each STUN connect and answer, and on the keep-alive connect. */
  stunTimeoutMs: number;
  /** Retries after failures. */
  backoff: BackoffPolicy;
  /**
   * An open tunnel lost sooner than this after opening counts as a failure and backs off, so a
   * target that drops every connection at once cannot make the tunnel re-punch in a loop.
   */
  stableAfterMs: number;
}

export const DEFAULT_TIMING: TunnelTiming = {
  keepaliveIntervalMs: 10_000,
  keepaliveAnswerTimeoutMs: 4_000,
  livenessProbeMs: 1_000,
  recheckIntervalMs: 20_000,
  networkPollMs: 2_000,
  stunTimeoutMs: 3_000,
  backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.3 },
  stableAfterMs: 5_000,
};

/** Defaults, then `intervalSeconds` from the config, then explicit overrides. */
export function resolveTiming(
  intervalSeconds: number | undefined,
  overrides: Partial<TunnelTiming> = {},
): TunnelTiming {
  const fromConfig = intervalSeconds === undefined ? {} : { keepaliveIntervalMs: intervalSeconds * 1000 };
  const timing = { ...DEFAULT_TIMING, ...fromConfig, ...overrides };
  timing.backoff = { ...DEFAULT_TIMING.backoff, ...overrides.backoff };
  for (const [key, value] of Object.entries(timing)) {
    // Zero only makes sense for stableAfterMs (every loss counts as a late one).
    const least = key === "stableAfterMs" ? 0 : Number.MIN_VALUE;
    if (typeof value === "number" && !(value >= least)) {
      throw new RangeError(`tunnel timing ${key} must be a positive number of milliseconds; got ${value}`);
    }
  }
  return timing;
}
