import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { AddressFamily } from "../message/types.js";
import type { Endpoint } from "../transport/types.js";
import { UdpStunClient } from "../transport/udp-client.js";
import type { ProbeTally } from "./probe-tally.js";

/**
 * Unanswered datagrams needed before "UDP is blocked". No control exists for UDP (TCP retransmits hide
 * loss), so this guards against one loss rate chosen in advance: where 30 % is lost each way, a round
 * trip fails with probability 1 - 0.7² = 0.51, and 24 failing in a row has probability 0.51^24 ≈ 1e-7.
 */
export const BLOCKED_AFTER_SENDS = 24;
/** Single-send requests outstanding per server at once: below RFC 8489's ten. */
const PER_SERVER_IN_FLIGHT = 6;

/**
 * After a discovery in which no UDP server answered, sends plain Binding requests to every server, one
 * datagram each, until `alreadySent + sent >= BLOCKED_AFTER_SENDS`; stops at the first answer.
 * Resolves to whether anything answered.
 */
export async function confirmUdpSilence(
  servers: { name: string; endpoint: Endpoint }[],
  options: {
    localAddress: string | undefined;
    family: AddressFamily;
    rto: number;
    signal: AbortSignal;
    alreadySent: number;
    tallyOf: (server: string) => ProbeTally;
  },
): Promise<{ answered: boolean; sent: number }> {
  let sent = options.alreadySent;
  if (servers.length === 0 || sent >= BLOCKED_AFTER_SENDS) return { answered: false, sent };
  let socket: UdpStunClient;
  try {
    socket = await UdpStunClient.open({ localAddress: options.localAddress, family: options.family });
  } catch {
    return { answered: false, sent };
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  // Every outstanding request listens on it; a few dozen are expected.
  setMaxListeners(256, signal);
  // An answer may come to the last datagram as late as to the first one of a first contact.
  const window = options.rto * 3;
  let answered = false;
  const pending: Promise<unknown>[] = [];
  try {
    while (sent < BLOCKED_AFTER_SENDS && !signal.aborted) {
      for (const server of servers) {
        pending.push(
          options
            .tallyOf(server.name)
            .request(socket, "reachability", server.endpoint, {
              maxSends: 1,
              rto: window,
              lastWaitFactor: 1,
              signal,
              onSend: () => sent++,
            })
            .then(
              () => {
                answered = true;
                stop.abort();
              },
              () => undefined,
            ),
        );
      }
      await sleep(window / PER_SERVER_IN_FLIGHT, undefined, { signal }).catch(() => undefined);
    }
    await Promise.all(pending);
  } finally {
    await socket.close();
  }
  return { answered, sent };
}
