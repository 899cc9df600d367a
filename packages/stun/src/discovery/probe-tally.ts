import type { Endpoint, StunReply } from "../transport/types.js";
import type { UdpRequestOptions, UdpStunClient } from "../transport/udp-client.js";
import type { ProbeCount } from "./types.js";

/**
 * Counts, per test, what was sent and what came back. A verdict built on missing answers is only as
 * good as the number of chances the answer had, so the counts travel with the result into the facts.
 */
export class ProbeTally {
  private readonly counts = new Map<string, ProbeCount>();

  private entry(test: string): ProbeCount {
    let count = this.counts.get(test);
    if (!count) {
      count = { sent: 0, answered: 0 };
      this.counts.set(test, count);
    }
    return count;
  }

  /** One transaction of `test` on `socket`, counted. */
  request(
    socket: UdpStunClient,
    test: string,
    target: Endpoint,
    options: UdpRequestOptions,
  ): Promise<StunReply> {
    const count = this.entry(test);
    return socket
      .request(target, {
        ...options,
        onSend: () => {
          count.sent++;
          options.onSend?.();
        },
      })
      .then((reply) => {
        count.answered++;
        return reply;
      });
  }

  get(test: string): ProbeCount {
    return { ...this.entry(test) };
  }

  /** Everything sent and answered, over all tests. */
  total(): ProbeCount {
    let sent = 0;
    let answered = 0;
    for (const c of this.counts.values()) {
      sent += c.sent;
      answered += c.answered;
    }
    return { sent, answered };
  }

  /** Adds another tally's counts to this one (a repeated attempt against the same server). */
  add(other: ProbeTally): void {
    for (const [test, c] of other.counts) {
      const mine = this.entry(test);
      mine.sent += c.sent;
      mine.answered += c.answered;
    }
  }

  toJSON(): Record<string, ProbeCount> {
    return Object.fromEntries([...this.counts].map(([test, c]) => [test, { ...c }]));
  }
}
