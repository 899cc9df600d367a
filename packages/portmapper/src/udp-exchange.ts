import { createSocket } from "node:dgram";
import { PortMappingError } from "./errors.js";

/** NAT-PMP (RFC 6886) and PCP (RFC 6887) both listen here on the gateway. */
export const NAT_PMP_PORT = 5351;

/**
 * RFC 6886 3.1's retransmission schedule (first wait 250 ms, doubling), cut to four tries (3.75 s in all)
 * instead of nine (64 s): a router on the LAN that stays silent that long is not there, and a tunnel's
 * mapping or a check should not wait a minute to say so. PCP (RFC 6887 8.1.1) allows the same.
 */
export const RETRY_MS: readonly number[] = [250, 500, 1_000, 2_000];

/** One request to a NAT-PMP or PCP router, sent again on the schedule until an answer is accepted. */
export interface UdpExchange {
  /** For messages: "NAT-PMP" or "PCP". */
  protocol: string;
  gatewayIp: string;
  message: Buffer;
  /**
   * What a reply from the gateway means: the answer (the exchange ends with it), an error (it ends with
   * that), or undefined: not the answer to this request (a late one to an earlier request), keep waiting.
   */
  judge: (reply: Buffer) => Buffer | Error | undefined;
  signal?: AbortSignal;
  /** The waits between tries (default {@link RETRY_MS}); the exchange gives up after the last. */
  retryMs?: readonly number[];
  /**
   * Send from this address (default: any IPv4 address). An IPv6 one makes the exchange IPv6: PCP for an
   * IPv6 pinhole must come from the address it opens, which is the request's source.
   */
  localAddress?: string;
}

/** An address without its zone (`fe80::1%eth0` -> `fe80::1`), in lower case, for comparing senders. */
function bareAddress(ip: string): string {
  return ip.replace(/%.*$/, "").toLowerCase();
}

/**
 * Send `message` to the gateway's port 5351 from a fresh socket and wait for its answer, sending again
 * on the retry schedule. Rejects with a {@link PortMappingError} when nothing acceptable came back, when
 * the request could not be sent at all (a socket error, e.g. EPERM from a firewall rule: that is said as
 * such, not as silence), or when `signal` ends it. The socket is closed however it ends.
 */
export function exchangeUdp(x: UdpExchange): Promise<Buffer> {
  const retryMs = x.retryMs ?? RETRY_MS;
  const v6 = x.gatewayIp.includes(":") || !!x.localAddress?.includes(":");
  const socket = createSocket(v6 ? "udp6" : "udp4");
  return new Promise<Buffer>((resolve, reject) => {
    let attempt = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Buffer | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      x.signal?.removeEventListener("abort", onAbort);
      socket.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () =>
      finish(new PortMappingError(`${x.protocol} request to ${x.gatewayIp} was cancelled`));
    const failed = (error: Error) =>
      finish(
        new PortMappingError(
          `the ${x.protocol} request to ${x.gatewayIp}:${NAT_PMP_PORT} could not be sent: ${error.message}`,
        ),
      );
    // `on`, not `once`: a second socket error later in the exchange must find a listener, not end the daemon.
    socket.on("error", failed);
    socket.on("message", (reply, from) => {
      if (bareAddress(from.address) !== bareAddress(x.gatewayIp)) return;
      // A throw here would be outside every promise and end the daemon: a router's packet a reader
      // does not expect ends this exchange instead.
      let verdict: Buffer | Error | undefined;
      try {
        verdict = x.judge(reply);
      } catch (error) {
        verdict = new PortMappingError(
          `the ${x.protocol} answer from ${x.gatewayIp} could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (verdict !== undefined) finish(verdict);
    });
    const send = () => {
      if (done) return;
      if (attempt >= retryMs.length) {
        finish(new PortMappingError(`no ${x.protocol} answer from ${x.gatewayIp}:${NAT_PMP_PORT}`));
        return;
      }
      // With a callback: without one, Node drops a send's error (EPERM, ENETUNREACH) without a word.
      socket.send(x.message, NAT_PMP_PORT, x.gatewayIp, (error) => {
        if (error) failed(error);
      });
      timer = setTimeout(send, retryMs[attempt++]);
    };
    x.signal?.addEventListener("abort", onAbort, { once: true });
    if (x.signal?.aborted) return onAbort();
    socket.bind({ port: 0, address: x.localAddress }, send);
  });
}
