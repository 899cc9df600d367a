import type { RetransmitOptions } from "./types.js";

export const DEFAULT_RTO = 200;
export const DEFAULT_MAX_SENDS = 4;
export const DEFAULT_LAST_WAIT_FACTOR = 4;

/**
 * Send times (ms after the first send) and the give-up time for one transaction: sends at
 * 0, rto, 3·rto, 7·rto, … (the interval doubles), then a final wait of rto·lastWaitFactor.
 */
export function retransmitSchedule(options: RetransmitOptions = {}): { sends: number[]; giveUpAt: number } {
  const rto = positive(options.rto, DEFAULT_RTO);
  const maxSends = Math.max(1, Math.floor(positive(options.maxSends, DEFAULT_MAX_SENDS)));
  const lastWait = rto * positive(options.lastWaitFactor, DEFAULT_LAST_WAIT_FACTOR);
  const sends: number[] = [];
  let at = 0;
  let interval = rto;
  for (let i = 0; i < maxSends; i++) {
    sends.push(at);
    if (i < maxSends - 1) {
      at += interval;
      interval *= 2;
    }
  }
  let giveUpAt = at + lastWait;
  if (options.timeoutMs !== undefined && options.timeoutMs >= 0)
    giveUpAt = Math.min(giveUpAt, options.timeoutMs);
  return { sends: sends.filter((t) => t < giveUpAt || t === 0), giveUpAt };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
