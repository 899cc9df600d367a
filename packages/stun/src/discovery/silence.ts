import type { StunAttribute } from "../message/types.js";
import type { Endpoint, StunReply } from "../transport/types.js";
import type { UdpStunClient } from "../transport/udp-client.js";
import type { ProbeTally } from "./probe-tally.js";

/**
 * Control answers needed before a probe's silence counts as the NAT's doing, and the most rounds spent
 * trying. Why these numbers: see `wrongSilenceChance` and its test, which prints the figures.
 */
export const SILENCE_CONTROLS_NEEDED = 12;
export const SILENCE_MAX_ROUNDS = 60;
/** Rounds whose answers may be outstanding at once: 3 transactions each stays within RFC 8489's 10. */
const ROUNDS_IN_FLIGHT = 3;

/** A request whose answer the NAT may filter out (a CHANGE-REQUEST test). */
export interface SilenceProbe {
  test: string;
  attributes: StunAttribute[];
}

export type ProbeOutcome =
  | { kind: "answered"; reply: StunReply }
  /** Unanswered while enough controls got through that loss alone very probably did not do it. */
  | { kind: "silent" }
  /** Unanswered, but too few controls came back to tell filtering from loss. */
  | { kind: "inconclusive" };

export interface SilenceOptions {
  socket: UdpStunClient;
  target: Endpoint;
  /** How long each single-send transaction waits: the retransmission timeout measured for this server. */
  windowMs: number;
  tally: ProbeTally;
  signal: AbortSignal;
  controlTest: string;
}

/**
 * Decides whether answers to `probes` are being filtered, by paired rounds: each round sends every
 * still-unanswered probe and one plain Binding request (the control, which nothing filters) from the same
 * socket to the same server, back to back, so both meet the same path. A probe answered once is answered
 * (strong evidence). A probe never answered is "silent" only once the controls were answered
 * SILENCE_CONTROLS_NEEDED times; otherwise the loss was too heavy to say, and it is "inconclusive".
 * Each transaction is one datagram with its own id and a timeout of the measured RTO, so nothing is
 * retransmitted into an unknown: retransmission here is the next round.
 */
export async function decideSilence(
  probes: SilenceProbe[],
  options: SilenceOptions,
): Promise<Map<string, ProbeOutcome>> {
  const { socket, target, windowMs, tally, signal } = options;
  const replies = new Map<string, StunReply>();
  const once = { maxSends: 1, lastWaitFactor: 1, rto: windowMs, signal };
  let controls = 0;
  const pending: Promise<unknown>[] = [];
  // When the last probe is answered there is nothing left to decide: stop waiting for the next round.
  let wake: (() => void) | undefined;
  const open = () => probes.filter((p) => !replies.has(p.test));
  for (let round = 0; round < SILENCE_MAX_ROUNDS; round++) {
    if (controls >= SILENCE_CONTROLS_NEEDED || open().length === 0 || signal.aborted) break;
    pending.push(
      tally.request(socket, options.controlTest, target, once).then(
        () => controls++,
        () => undefined,
      ),
    );
    for (const probe of open()) {
      pending.push(
        tally.request(socket, probe.test, target, { ...once, attributes: probe.attributes }).then(
          (reply) => {
            if (!replies.has(probe.test)) replies.set(probe.test, reply);
            if (open().length === 0) wake?.();
          },
          () => undefined,
        ),
      );
    }
    if (open().length === 0) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, windowMs / ROUNDS_IN_FLIGHT);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        wake = undefined;
        resolve();
      }
      wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
  await Promise.all(pending);
  const outcomes = new Map<string, ProbeOutcome>();
  for (const probe of probes) {
    const reply = replies.get(probe.test);
    outcomes.set(
      probe.test,
      reply
        ? { kind: "answered", reply }
        : controls >= SILENCE_CONTROLS_NEEDED
          ? { kind: "silent" }
          : { kind: "inconclusive" },
    );
  }
  return outcomes;
}

/**
 * The chance that `decideSilence` calls a probe silent although its answers do get through, when every
 * datagram's round trip succeeds with probability `p`, independently (the probe's and the control's
 * alike, as they travel together). The controls' T-th answer comes in round r with the negative-binomial
 * probability C(r-1, T-1)·p^T·(1-p)^(r-T); the probe must then have failed in all r rounds, (1-p)^r,
 * and r may be at most the round cap. Rounds already in flight when the T-th control answers only give
 * the probe more chances, so this is an upper bound.
 */
export function wrongSilenceChance(
  p: number,
  needed = SILENCE_CONTROLS_NEEDED,
  maxRounds = SILENCE_MAX_ROUNDS,
): number {
  let sum = 0;
  let ways = 1;
  for (let r = needed; r <= maxRounds; r++) {
    if (r > needed) ways = (ways * (r - 1)) / (r - needed);
    sum += ways * p ** needed * (1 - p) ** (r - needed) * (1 - p) ** r;
  }
  return sum;
}
