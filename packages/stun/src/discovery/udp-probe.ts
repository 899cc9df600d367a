import { formatAddress, getMappedAddress, getOtherAddress, getResponseOrigin } from "../message/accessors.js";
import { normalizeIp } from "../message/ip.js";
import type { AddressFamily, TransportAddress } from "../message/types.js";
import type { Endpoint, RetransmitOptions, StunReply } from "../transport/types.js";
import { UdpStunClient } from "../transport/udp-client.js";
import { filteringFromTests, type MappedPoint, mappingFromTests } from "./classify.js";
import { ProbeTally } from "./probe-tally.js";
import { decideSilence, type ProbeOutcome } from "./silence.js";
import type { ChangeRequestOutcome, NatBehaviour, ServerReport } from "./types.js";

/** What the filtering probes of one server showed, before servers are compared. */
export type FilteringEvidence = "answered" | "silent" | "inconclusive";

/** Everything learnt about one UDP server. */
export interface UdpServerProbe {
  report: ServerReport;
  /** Mapped address of test I from the shared mapping socket. */
  mapped?: MappedPoint;
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  /** Both behaviour tests ran on trustworthy answers. */
  capable: boolean;
  /** Set when capable: whether answers from the other IP and port, and from the other port, got in. */
  evidence?: { ipAndPort: FilteringEvidence; portOnly: FilteringEvidence };
  /** The server answered at all (even if it was then not believed): UDP gets through. */
  answered: boolean;
  /** A test that a working path answers went unanswered, or a silence stayed inconclusive. */
  lossy: boolean;
  /** Datagrams sent and answered, per test. */
  tally: ProbeTally;
}

export interface UdpProbeContext {
  /** The shared socket that sends every mapping test, so all mappings are for one local port. */
  mappingSocket: UdpStunClient;
  localAddress: string | undefined;
  family: AddressFamily;
  retransmit: RetransmitOptions;
}

/**
 * Tests a working path always answers (the mapping tests) get two more sends than first contact once the
 * server's round trip is known: a lost datagram then costs a little time instead of the server.
 */
const MEASURED_MAX_SENDS = 5;

/** Bounds of the retransmission timeout once a round trip to the server has been measured. */
const MEASURED_RTO_MIN_MS = 50;
const MEASURED_RTO_MAX_MS = 1000;

/**
 * RFC 8489 lets a client base its RTO on measured round trips. The configured RTO is only a guess for
 * first contact; after that, unanswered filtering probes (the normal case behind NAT2/NAT3) wait in
 * proportion to the real path, so a LAN answers in a few hundred ms and a slow path is not misread.
 */
export function retransmitAfter(retransmit: RetransmitOptions, rttMs: number): RetransmitOptions {
  const rto = Math.min(MEASURED_RTO_MAX_MS, Math.max(MEASURED_RTO_MIN_MS, Math.ceil(rttMs * 3)));
  return { ...retransmit, rto };
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Settled = PromiseSettledResult<StunReply>;

/**
 * How a server answered a CHANGE-REQUEST, judged by where the reply really came from. The
 * server's own RESPONSE-ORIGIN is only used to tell a liar from a server that simply ignored it.
 */
export function judgeChangeReply(result: Settled, expected: Endpoint): ChangeRequestOutcome | "no-answer" {
  if (result.status === "rejected") return "no-answer";
  const reply = result.value;
  if (reply.message.class === "error") return "ignored";
  if (sameEndpoint(reply.from, expected)) return "honoured";
  const claimed = getResponseOrigin(reply.message);
  if (claimed && !sameEndpoint(claimed, reply.from)) return "lied";
  return "ignored";
}

/** RFC 5780 section 4.4 from a fresh local port: test I, then tests II and III decided in paired rounds. */
async function filteringSeries(target: Endpoint, context: UdpProbeContext, tally: ProbeTally) {
  let socket: UdpStunClient;
  try {
    socket = await UdpStunClient.open({ localAddress: context.localAddress, family: context.family });
  } catch (error) {
    return { error: reason(error), answered: false };
  }
  try {
    const first = await tally
      .request(socket, "filtering-binding", target, context.retransmit)
      .catch((e: unknown) => e as Error);
    if (first instanceof Error) return { error: `filtering test I: ${first.message}`, answered: false };
    const signal = context.retransmit.signal ?? new AbortController().signal;
    const outcomes = await decideSilence(
      [
        {
          test: "change-ip-port",
          attributes: [{ type: "CHANGE-REQUEST", changeIp: true, changePort: true }],
        },
        { test: "change-port", attributes: [{ type: "CHANGE-REQUEST", changeIp: false, changePort: true }] },
      ],
      {
        socket,
        target,
        windowMs: retransmitAfter(context.retransmit, first.sampleRttMs).rto ?? MEASURED_RTO_MIN_MS,
        tally,
        signal,
        controlTest: "filtering-control",
      },
    );
    return {
      ipAndPort: outcomes.get("change-ip-port")!,
      portOnly: outcomes.get("change-port")!,
      answered: true,
    };
  } finally {
    await socket.close();
  }
}

function settledOf(outcome: ProbeOutcome): Settled {
  return outcome.kind === "answered"
    ? { status: "fulfilled", value: outcome.reply }
    : { status: "rejected", reason: new Error(outcome.kind) };
}

/** What an unanswered or answered probe says about filtering, once its reply was judged honest. */
function evidenceOf(outcome: ProbeOutcome, judged: ChangeRequestOutcome | "no-answer"): FilteringEvidence {
  if (judged === "honoured") return "answered";
  return outcome.kind === "silent" ? "silent" : "inconclusive";
}

/** Runs test I, the mapping tests and the filtering tests against one server, in parallel where RFC 5780 allows. */
export async function probeUdpServer(
  name: string,
  target: Endpoint,
  context: UdpProbeContext,
): Promise<UdpServerProbe> {
  const report: ServerReport = { server: name, transport: "udp", ok: false, address: formatAddress(target) };
  const tally = new ProbeTally();
  const result: UdpServerProbe = {
    report,
    mapping: "UNKNOWN",
    filtering: "UNKNOWN",
    capable: false,
    answered: false,
    lossy: false,
    tally,
  };
  const filtering = filteringSeries(target, context, tally).then((series) => {
    if (series.answered) result.answered = true;
    else if (!context.retransmit.signal?.aborted) result.lossy = true;
    return series;
  });
  const request = (to: Endpoint) => tally.request(context.mappingSocket, "binding", to, context.retransmit);

  let test1: StunReply;
  try {
    test1 = await request(target);
  } catch (error) {
    await filtering;
    result.lossy = true;
    report.reason = `no answer: ${reason(error)}`;
    return result;
  }
  result.answered = true;
  const mapped = getMappedAddress(test1.message);
  if (test1.message.class !== "success" || !mapped) {
    await filtering;
    report.reason =
      test1.message.class === "error"
        ? "answered Binding with an error"
        : "reply carries no (XOR-)MAPPED-ADDRESS";
    return result;
  }
  result.mapped = mapped;
  report.ok = true;
  const other: TransportAddress | undefined = getOtherAddress(test1.message);
  if (!other) {
    await filtering;
    report.changeRequest = "untested";
    report.reason = "no OTHER-ADDRESS: cannot run RFC 5780 behaviour tests";
    return result;
  }
  report.otherAddress = formatAddress(other);
  if (normalizeIp(other.address) === normalizeIp(target.address) || other.port === target.port) {
    await filtering;
    report.changeRequest = "untested";
    report.reason = "OTHER-ADDRESS must differ from the primary in both IP and port";
    return result;
  }

  const measured = {
    ...retransmitAfter(context.retransmit, test1.sampleRttMs),
    maxSends: MEASURED_MAX_SENDS,
  };
  const requestMeasured = (test: string, to: Endpoint) =>
    tally.request(context.mappingSocket, test, to, measured);
  const test2Target = { address: other.address, port: target.port };
  const test3Target = { address: other.address, port: other.port };
  const [test2, test3, series] = await Promise.all([
    Promise.allSettled([requestMeasured("mapping-alt-ip", test2Target)]).then(([r]) => r!),
    Promise.allSettled([requestMeasured("mapping-alt-ip-port", test3Target)]).then(([r]) => r!),
    filtering,
  ]);
  if (test2.status === "rejected" || test3.status === "rejected") result.lossy = true;
  const mappedOf = (r: Settled) => (r.status === "fulfilled" ? getMappedAddress(r.value.message) : undefined);
  result.mapping = mappingFromTests(mapped, mappedOf(test2), mappedOf(test3));

  if ("error" in series) {
    report.changeRequest = "untested";
    report.reason = series.error ?? "filtering tests failed";
    return result;
  }
  const onIpAndPort = judgeChangeReply(settledOf(series.ipAndPort), test3Target);
  const onPort = judgeChangeReply(settledOf(series.portOnly), {
    address: target.address,
    port: other.port,
  });
  const outcomes = [onIpAndPort, onPort];
  report.changeRequest = outcomes.includes("lied")
    ? "lied"
    : outcomes.includes("ignored")
      ? "ignored"
      : outcomes.includes("honoured")
        ? "honoured"
        : "untested";

  if (report.changeRequest === "lied") {
    const reply = [series.ipAndPort, series.portOnly].flatMap((o) =>
      o.kind === "answered" ? [o.reply] : [],
    )[0];
    const claimed = reply ? getResponseOrigin(reply.message) : undefined;
    report.ok = false;
    report.reason = `answered CHANGE-REQUEST from ${reply ? formatAddress(reply.from) : "?"} while claiming ${claimed ? formatAddress(claimed) : "?"}: not believed`;
    result.mapping = "UNKNOWN";
    return result;
  }
  if (report.changeRequest === "ignored") {
    report.reason = "does not honour CHANGE-REQUEST: filtering cannot be measured with it";
    return result;
  }
  if (test2.status === "rejected") {
    report.reason = `alternate address ${formatAddress(test2Target)} did not answer: ${reason(test2.reason)}`;
    return result;
  }
  if (!sameEndpoint(test2.value.from, test2Target)) {
    report.ok = false;
    report.reason = `a request to ${formatAddress(test2Target)} was answered from ${formatAddress(test2.value.from)}`;
    result.mapping = "UNKNOWN";
    return result;
  }
  const evidence = {
    ipAndPort: evidenceOf(series.ipAndPort, onIpAndPort),
    portOnly: evidenceOf(series.portOnly, onPort),
  };
  result.evidence = evidence;
  result.filtering = filteringFromEvidence([evidence]);
  if (result.filtering === "UNKNOWN") {
    result.lossy = true;
    report.reason = "too many filtering probes lost to tell filtering from loss";
  }
  result.capable = true;
  return result;
}

/**
 * Filtering from the evidence of one or more servers. An answer that got in is proof, whoever's it was;
 * a silence counts only where `decideSilence` judged it one (enough controls answered meanwhile), and
 * anything less leaves the behaviour UNKNOWN rather than guessing the stricter one.
 */
export function filteringFromEvidence(
  servers: { ipAndPort: FilteringEvidence; portOnly: FilteringEvidence }[],
): NatBehaviour {
  const any = (pick: (e: (typeof servers)[number]) => boolean) => servers.some(pick);
  if (any((e) => e.ipAndPort === "answered")) return filteringFromTests(true, true);
  if (!any((e) => e.ipAndPort === "silent")) return "UNKNOWN";
  if (any((e) => e.portOnly === "answered")) return filteringFromTests(false, true);
  if (any((e) => e.portOnly === "silent")) return filteringFromTests(false, false);
  return "UNKNOWN";
}
