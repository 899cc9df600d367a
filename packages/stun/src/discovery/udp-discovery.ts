import { familyOf, normalizeIp } from "../message/ip.js";
import type { AddressFamily } from "../message/types.js";
import type { Endpoint } from "../transport/types.js";
import { UdpStunClient } from "../transport/udp-client.js";
import { type MappedPoint, mappingFromServers } from "./classify.js";
import { hostAddresses } from "./local-addresses.js";
import { ProbeTally } from "./probe-tally.js";
import type { NatBehaviour, ProbeCount, ServerReport, UdpUndecided } from "./types.js";
import { filteringFromEvidence, probeUdpServer, type UdpServerProbe } from "./udp-probe.js";
import { BLOCKED_AFTER_SENDS, confirmUdpSilence } from "./udp-reachability.js";

/** A discovery that lost what it needed is repeated, with fresh ports, while the time budget lasts. */
const MAX_ATTEMPTS = 3;

export interface UdpDiscovery {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  mapped?: MappedPoint;
  mappedIsLocal: boolean;
  anyAnswer: boolean;
  /** No answer although at least BLOCKED_AFTER_SENDS datagrams went out: UDP does not get through. */
  silenceConfirmed: boolean;
  undecided?: UdpUndecided;
  probes: ProbeCount;
  attempts: number;
  reports: ServerReport[];
}

interface Attempt {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  mapped?: MappedPoint;
  mappedIsLocal: boolean;
  anyAnswer: boolean;
  lossy: boolean;
  undecided?: UdpUndecided;
  probes: UdpServerProbe[];
}

type Server = { name: string; endpoint: Endpoint };
interface UdpOptions {
  localAddress: string | undefined;
  rto: number;
  signal: AbortSignal;
}

/** Whether the attempt settled the NAT type (OPEN, NAT4, or a mapping and filtering both known). */
function decided(a: Attempt): boolean {
  if (a.mappedIsLocal) return true;
  if (a.mapping === "ADDRESS_DEPENDENT" || a.mapping === "ADDRESS_AND_PORT_DEPENDENT") return true;
  return a.mapping === "ENDPOINT_INDEPENDENT" && a.filtering !== "UNKNOWN";
}

/**
 * RFC 5780 discovery over UDP, robust to loss: an attempt that lost the answers it needed is repeated,
 * and when nothing answered at all, more datagrams go out before UDP is called blocked.
 */
export async function discoverUdp(servers: Server[], options: UdpOptions): Promise<UdpDiscovery> {
  const none: UdpDiscovery = {
    mapping: "UNKNOWN",
    filtering: "UNKNOWN",
    mappedIsLocal: false,
    anyAnswer: false,
    silenceConfirmed: false,
    probes: { sent: 0, answered: 0 },
    attempts: 0,
    reports: [],
  };
  if (servers.length === 0) return none;
  // One probe family: the local address's, else the first server's (resolution put IPv4 first).
  const family =
    (options.localAddress ? familyOf(options.localAddress) : undefined) ??
    familyOf(servers[0]!.endpoint.address) ??
    "IPv4";
  const skipped: ServerReport[] = servers
    .filter((s) => familyOf(s.endpoint.address) !== family)
    .map((s) => ({
      server: s.name,
      transport: "udp",
      ok: false,
      reason: `not ${family} like the probe socket`,
    }));
  servers = servers.filter((s) => familyOf(s.endpoint.address) === family);

  const tallies = new Map(servers.map((s) => [s.name, new ProbeTally()]));
  const tallyOf = (name: string) => tallies.get(name)!;
  let best: Attempt | undefined;
  let attempts = 0;
  let silenceConfirmed = false;
  let openError: string | undefined;
  while (attempts < MAX_ATTEMPTS && !options.signal.aborted) {
    attempts++;
    const attempt = await runAttempt(servers, family, options).catch((error: unknown) => {
      openError = error instanceof Error ? error.message : String(error);
      return undefined;
    });
    if (!attempt) break;
    for (const [i, p] of attempt.probes.entries()) tallyOf(servers[i]!.name).add(p.tally);
    if (!best || better(attempt, best)) best = attempt;
    if (decided(attempt)) break;
    if (!attempt.anyAnswer) {
      const sent = [...tallies.values()].reduce((n, t) => n + t.total().sent, 0);
      const check = await confirmUdpSilence(servers, { ...options, family, alreadySent: sent, tallyOf });
      if (!check.answered) {
        silenceConfirmed = check.sent >= BLOCKED_AFTER_SENDS && !best.anyAnswer;
        break;
      }
      // Something answered after all: the path is only very lossy, so measure again.
      continue;
    }
    if (!attempt.lossy) break;
  }
  if (!best) {
    return {
      ...none,
      attempts,
      reports: [
        ...servers.map((s) => ({ server: s.name, transport: "udp" as const, ok: false, reason: openError })),
        ...skipped,
      ],
    };
  }
  const reports = best.probes.map((p, i) => ({ ...p.report, probes: tallyOf(servers[i]!.name).toJSON() }));
  const probes = { sent: 0, answered: 0 };
  for (const t of tallies.values()) {
    const total = t.total();
    probes.sent += total.sent;
    probes.answered += total.answered;
  }
  const anyAnswer = best.anyAnswer || probes.answered > 0;
  const result: UdpDiscovery = {
    mapping: best.mapping,
    filtering: best.filtering,
    mapped: best.mapped,
    mappedIsLocal: best.mappedIsLocal,
    anyAnswer,
    silenceConfirmed: silenceConfirmed && !anyAnswer,
    probes,
    attempts,
    reports: [...reports, ...skipped],
  };
  const undecided = anyAnswer ? best.undecided : silenceConfirmed ? undefined : "udp-silence-too-short";
  if (undecided && !decided(best)) result.undecided = undecided;
  return result;
}

/** A decided attempt beats an undecided one; among undecided ones, the one that heard more. */
function better(a: Attempt, b: Attempt): boolean {
  if (decided(a) !== decided(b)) return decided(a);
  const heard = (x: Attempt) => x.probes.filter((p) => p.answered).length + (x.mapped ? 1 : 0);
  return heard(a) > heard(b);
}

async function runAttempt(servers: Server[], family: AddressFamily, options: UdpOptions): Promise<Attempt> {
  const mappingSocket = await UdpStunClient.open({ localAddress: options.localAddress, family });
  const localPort = mappingSocket.local.port;
  let probes: UdpServerProbe[];
  try {
    const context = {
      mappingSocket,
      localAddress: options.localAddress,
      family,
      retransmit: { rto: options.rto, maxSends: 3, lastWaitFactor: 3, signal: options.signal },
    };
    probes = await Promise.all(servers.map((s) => probeUdpServer(s.name, s.endpoint, context)));
  } finally {
    await mappingSocket.close();
  }
  const merged = mergeServers(servers, probes);
  const own = hostAddresses();
  if (options.localAddress) own.add(normalizeIp(options.localAddress));
  const mapped = merged.mapped;
  return {
    ...merged,
    mappedIsLocal: mapped !== undefined && mapped.port === localPort && own.has(normalizeIp(mapped.address)),
    anyAnswer: probes.some((p) => p.answered),
    lossy: probes.some((p) => p.lossy),
    probes,
  };
}

const DEPENDENT: readonly NatBehaviour[] = ["ADDRESS_DEPENDENT", "ADDRESS_AND_PORT_DEPENDENT"];

/**
 * Cross-checks the servers. Mapping: servers that measured it must agree (loss only ever removes a
 * measurement, so disagreement means something else is wrong, and then it is UNKNOWN). Filtering: an
 * answer that got in anywhere is proof; see filteringFromEvidence.
 */
function mergeServers(
  servers: Server[],
  probes: UdpServerProbe[],
): { mapping: NatBehaviour; filtering: NatBehaviour; mapped?: MappedPoint; undecided?: UdpUndecided } {
  const capable = probes.filter((p) => p.capable);
  const answered = probes.filter((p) => p.report.ok && p.mapped);
  if (capable.length === 0) {
    // No server could run RFC 5780 tests: compare what several servers saw for one local port.
    for (const p of answered) p.report.role = "mapping";
    const mapping = mappingFromServers(
      answered.map((p) => ({ server: servers[probes.indexOf(p)]!.endpoint, mapped: p.mapped! })),
    );
    const lossy = probes.some((p) => p.lossy);
    return {
      mapping,
      filtering: "UNKNOWN",
      mapped: answered[0]?.mapped,
      undecided: lossy
        ? mapping === "UNKNOWN"
          ? "mapping-inconclusive"
          : "filtering-inconclusive"
        : undefined,
    };
  }
  for (const p of capable) p.report.role = "behaviour";
  const measured = capable.map((p) => p.mapping).filter((m) => m !== "UNKNOWN");
  let mapping: NatBehaviour = "UNKNOWN";
  let undecided: UdpUndecided | undefined;
  if (measured.length === 0) undecided = "mapping-inconclusive";
  else if (measured.every((m) => m === "ENDPOINT_INDEPENDENT")) mapping = "ENDPOINT_INDEPENDENT";
  else if (measured.every((m) => DEPENDENT.includes(m)))
    // A missing test III reads as address-dependent, so the stricter reading of any server wins.
    mapping = measured.includes("ADDRESS_AND_PORT_DEPENDENT")
      ? "ADDRESS_AND_PORT_DEPENDENT"
      : "ADDRESS_DEPENDENT";
  else undecided = "servers-disagree";
  const filtering = filteringFromEvidence(capable.flatMap((p) => (p.evidence ? [p.evidence] : [])));
  if (mapping === "ENDPOINT_INDEPENDENT" && filtering === "UNKNOWN") undecided = "filtering-inconclusive";
  return { mapping, filtering, mapped: capable[0]!.mapped, undecided };
}
