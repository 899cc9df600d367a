import type { BackoffPolicy } from "../tunnel/backoff.js";
import { DEFAULT_TIMING } from "../tunnel/timing.js";
import type { UdpAskOptions } from "./udp-stun-port.js";

/**
 * The keep-alive interval of a UDP mapping, in seconds. Many home routers and CGNATs drop an idle
 * UDP mapping after 30 s (Linux conntrack forgets an unanswered UDP flow after 30 s too). At the
 * longest interval allowed, a keep-alive whose first datagram is lost is still retransmitted (and so
 * refreshes the mapping) well before 30 s of silence. The default also bounds how long a silently
 * replaced mapping goes unnoticed, for the < 5 s recovery the TCP side aims at.
 */
export const UDP_KEEPALIVE_SECONDS = { default: 5, min: 1, max: 20 } as const;

/** Every delay and bound a UDP mapping uses; defaults suit a home connection, tests shrink them. */
export interface UdpMappingTiming {
  /** Between two keep-alive Bindings to the current STUN server. */
  keepaliveIntervalMs: number;
  /** One Binding (punch or keep-alive): first retransmission, number of sends, overall cap. */
  ask: Omit<UdpAskOptions, "signal">;
  /** Between two looks at the local addresses and default routes. */
  networkPollMs: number;
  /** Retries after failures. */
  backoff: BackoffPolicy;
  /** A mapping lost sooner than this after opening counts as a failure and waits before re-punching. */
  stableAfterMs: number;
}

export const DEFAULT_UDP_TIMING: UdpMappingTiming = {
  keepaliveIntervalMs: UDP_KEEPALIVE_SECONDS.default * 1000,
  // Sends at 0, 0.5 s and 1.5 s, given up at 3.5 s: well inside one interval.
  ask: { rtoMs: 500, maxSends: 3, timeoutMs: 3_500 },
  networkPollMs: DEFAULT_TIMING.networkPollMs,
  backoff: { ...DEFAULT_TIMING.backoff },
  stableAfterMs: DEFAULT_TIMING.stableAfterMs,
};

/**
 * Check a configured keep-alive interval (seconds) and say what is wrong and where. `where` names
 * the setting, e.g. `tunnel "qb": udpKeepaliveSeconds`.
 */
export function validateUdpKeepaliveSeconds(value: unknown, where: string): number {
  const { min, max } = UDP_KEEPALIVE_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(
      `${where} must be a number of seconds from ${min} to ${max} (UDP mappings often expire after 30 s ` +
        `of silence, and a keep-alive more often than every ${min} s only burdens the STUN servers); ` +
        `got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Defaults, then the configured interval (validated), then explicit overrides (tests). */
export function resolveUdpTiming(
  keepaliveSeconds: number | undefined,
  where: string,
  overrides: Partial<UdpMappingTiming> = {},
): UdpMappingTiming {
  const interval =
    keepaliveSeconds === undefined
      ? {}
      : { keepaliveIntervalMs: validateUdpKeepaliveSeconds(keepaliveSeconds, where) * 1000 };
  const timing: UdpMappingTiming = {
    ...DEFAULT_UDP_TIMING,
    ...interval,
    ...overrides,
    ask: { ...DEFAULT_UDP_TIMING.ask, ...overrides.ask },
    backoff: { ...DEFAULT_UDP_TIMING.backoff, ...overrides.backoff },
  };
  const numbers: [string, number][] = [
    ["keepaliveIntervalMs", timing.keepaliveIntervalMs],
    ["networkPollMs", timing.networkPollMs],
    ["ask.rtoMs", timing.ask.rtoMs],
    ["ask.maxSends", timing.ask.maxSends],
    ["ask.timeoutMs", timing.ask.timeoutMs],
  ];
  for (const [key, value] of numbers) {
    if (!(typeof value === "number" && value > 0)) {
      throw new RangeError(`${where}: UDP timing ${key} must be a positive number; got ${value}`);
    }
  }
  if (!(timing.stableAfterMs >= 0)) {
    throw new RangeError(`${where}: UDP timing stableAfterMs must be 0 or more; got ${timing.stableAfterMs}`);
  }
  return timing;
}
