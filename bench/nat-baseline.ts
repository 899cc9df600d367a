/**
 * The baseline of the nat bench: the probes of a full nat.type check (UDP mapping + filtering,
 * TCP mapping) run the way classic RFC 3489 / RFC 5780 testers run them — one after another,
 * one socket for the UDP series, each probe waiting up to a fixed timeout (3 s) before the
 * next one starts. A probe the NAT filters out therefore costs its whole timeout.
 */
import { networkInterfaces } from "node:os";
import {
  classifyNat,
  type Endpoint,
  filteringFromTests,
  getMappedAddress,
  getOtherAddress,
  type MappedPoint,
  mappingFromTests,
  type NatBehaviour,
  normalizeIp,
  parseHostPort,
  type RetransmitOptions,
  type StunReply,
  type TcpStunConnection,
  tcpStunRequest,
  UdpStunClient,
} from "@autostun/stun";
import type { NatSample } from "./nat-protocol.js";

function endpointOf(server: string): Endpoint {
  const parsed = parseHostPort(server);
  if ("error" in parsed) throw new Error(`classic tester: ${parsed.error}`);
  return { address: parsed.host, port: parsed.port };
}

function same(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

/** A reply, or undefined when the probe went unanswered within its timeout. */
async function answer(probe: Promise<StunReply>): Promise<StunReply | undefined> {
  try {
    return await probe;
  } catch {
    return undefined;
  }
}

function isOwnAddress(mapped: MappedPoint, localPort: number): boolean {
  if (mapped.port !== localPort) return false;
  const own = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  return own.some((a) => normalizeIp(a) === normalizeIp(mapped.address));
}

interface UdpOutcome {
  answered: boolean;
  mappedIsLocal: boolean;
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  other?: Endpoint;
}

/** Test I, test II (change IP+port), test III (change port), then mapping tests to the alternate. */
async function udpSeries(primary: Endpoint, probeTimeoutMs: number): Promise<UdpOutcome> {
  // Classic testers resend a few times inside their fixed wait; the wait is what matters here.
  const retransmit: RetransmitOptions = {
    rto: 500,
    maxSends: 3,
    lastWaitFactor: 100,
    timeoutMs: probeTimeoutMs,
  };
  const socket = await UdpStunClient.open({ family: "IPv4" });
  try {
    const test1 = await answer(socket.request(primary, retransmit));
    const mapped = test1 ? getMappedAddress(test1.message) : undefined;
    if (!test1 || !mapped) {
      return {
        answered: test1 !== undefined,
        mappedIsLocal: false,
        mapping: "UNKNOWN",
        filtering: "UNKNOWN",
      };
    }
    const other = getOtherAddress(test1.message);
    const mappedIsLocal = isOwnAddress(mapped, socket.local.port);
    if (!other) return { answered: true, mappedIsLocal, mapping: "UNKNOWN", filtering: "UNKNOWN" };

    const change = (changeIp: boolean) =>
      answer(
        socket.request(primary, {
          ...retransmit,
          attributes: [{ type: "CHANGE-REQUEST", changeIp, changePort: true }],
        }),
      );
    // Filtering first: the alternate address has not been contacted yet from this socket.
    const test2 = await change(true);
    const test3 = await change(false);
    const fromOtherIpAndPort = test2 !== undefined && same(test2.from, other);
    const fromOtherPort =
      test3 !== undefined && same(test3.from, { address: primary.address, port: other.port });

    const mapping2 = await answer(socket.request({ address: other.address, port: primary.port }, retransmit));
    const mapping3 = await answer(socket.request(other, retransmit));
    return {
      answered: true,
      mappedIsLocal,
      mapping: mappingFromTests(
        mapped,
        mapping2 ? getMappedAddress(mapping2.message) : undefined,
        mapping3 ? getMappedAddress(mapping3.message) : undefined,
      ),
      filtering: filteringFromTests(fromOtherIpAndPort, fromOtherPort),
      other,
    };
  } finally {
    await socket.close();
  }
}

/** TCP mapping: primary, then alternate IP and alternate IP+port, all from the first connection's port. */
async function tcpSeries(
  primary: Endpoint,
  fallbackOther: Endpoint | undefined,
  probeTimeoutMs: number,
): Promise<NatBehaviour> {
  const open: TcpStunConnection[] = [];
  const probe = async (to: Endpoint, localPort?: number) => {
    try {
      const reply = await tcpStunRequest(to, {
        // Binding explicitly is what makes Node set SO_REUSEADDR, so the port can be reused.
        localAddress: "0.0.0.0",
        localPort,
        timeoutMs: probeTimeoutMs,
        keepOpen: true,
      });
      if (reply.connection) open.push(reply.connection);
      return reply;
    } catch {
      return undefined;
    }
  };
  try {
    const first = await probe(primary);
    const mapped = first ? getMappedAddress(first.message) : undefined;
    if (!first || !mapped) return "UNKNOWN";
    const other = getOtherAddress(first.message) ?? fallbackOther;
    if (!other) return "UNKNOWN";
    const second = await probe({ address: other.address, port: primary.port }, first.local.port);
    const third = await probe(other, first.local.port);
    return mappingFromTests(
      mapped,
      second ? getMappedAddress(second.message) : undefined,
      third ? getMappedAddress(third.message) : undefined,
    );
  } finally {
    await Promise.all(open.map((c) => c.close()));
  }
}

/** One full classic run against the first UDP and first TCP server; returns its wall time and verdict. */
export async function runClassicTester(
  udpServer: string,
  tcpServer: string | undefined,
  probeTimeoutMs: number,
): Promise<NatSample> {
  const started = performance.now();
  const udp = await udpSeries(endpointOf(udpServer), probeTimeoutMs);
  const tcpMapping = tcpServer
    ? await tcpSeries(endpointOf(tcpServer), udp.other, probeTimeoutMs)
    : "UNKNOWN";
  const ms = performance.now() - started;
  return {
    ms,
    natType: classifyNat({
      udpServersProbed: 1,
      udpAnswered: udp.answered,
      // Classic testers take one unanswered probe as blocked UDP; that is what this baseline shows.
      udpSilenceConfirmed: true,
      mappedIsLocal: udp.mappedIsLocal,
      mapping: udp.mapping,
      filtering: udp.filtering,
    }),
    udp: { mapping: udp.mapping, filtering: udp.filtering },
    tcp: { mapping: tcpMapping },
  };
}
