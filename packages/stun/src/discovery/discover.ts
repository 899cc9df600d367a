import { setMaxListeners } from "node:events";
import { formatAddress } from "../message/accessors.js";
import { familyOf, normalizeIp } from "../message/ip.js";
import type { Endpoint } from "../transport/types.js";
import { UdpStunClient } from "../transport/udp-client.js";
import { classifyNat, type MappedPoint, mappingFromServers } from "./classify.js";
import { hostAddresses, sourceAddressFor } from "./local-addresses.js";
import { isWildcard, resolveServer } from "./server-address.js";
import { discoverTcpMapping } from "./tcp-probe.js";
import type { DiscoverNatOptions, NatBehaviour, NatDiscoveryResult, ServerReport } from "./types.js";
import { probeUdpServer, type UdpServerProbe } from "./udp-probe.js";

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RTO = 100;

type Resolved = { name: string; endpoint: Endpoint } | { name: string; error: string };

/**
 * Measures the NAT between this host and the STUN servers (RFC 5780 behaviour discovery over UDP,
 * mapping over TCP) and classifies it. Never rejects for network reasons: servers that fail,
 * time out or lie are listed in `servers` with the reason, and unmeasurable parts are UNKNOWN.
 */
export async function discoverNat(options: DiscoverNatOptions): Promise<NatDiscoveryResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // Every probe of a discovery listens on this one signal; dozens are expected, not a leak.
  setMaxListeners(256, signal);
  const rto = options.rto ?? DEFAULT_RTO;
  const localAddress = options.localAddress;

  const resolveAll = (names: string[]) =>
    Promise.all(
      unique(names).map(async (name): Promise<Resolved> => {
        const r = await resolveServer(name, localAddress, signal);
        return "error" in r ? { name, error: r.error } : { name, endpoint: r.endpoint };
      }),
    );
  const [udpResolved, tcpResolved] = await Promise.all([
    resolveAll(options.udpServers),
    resolveAll(options.tcpServers),
  ]);
  const unresolved = (list: Resolved[], transport: "udp" | "tcp"): ServerReport[] =>
    list.flatMap((r) => ("error" in r ? [{ server: r.name, transport, ok: false, reason: r.error }] : []));
  const reachable = (list: Resolved[]) => list.flatMap((r) => ("endpoint" in r ? [r] : []));

  const [udp, tcp] = await Promise.all([
    discoverUdp(reachable(udpResolved), { localAddress, rto, signal }),
    discoverTcpMapping(reachable(tcpResolved), {
      localAddress,
      connectTimeoutMs: Math.max(500, rto * 15),
      signal,
    }),
  ]);

  const firstTarget = reachable(udpResolved)[0]?.endpoint ?? reachable(tcpResolved)[0]?.endpoint;
  const localIp =
    localAddress && !isWildcard(localAddress)
      ? localAddress
      : ((tcp.localIp && !isWildcard(tcp.localIp) ? tcp.localIp : undefined) ??
        (firstTarget ? await sourceAddressFor(firstTarget) : null));

  const natType = classifyNat({
    udpServersProbed: reachable(udpResolved).length,
    udpAnswered: udp.anyAnswer,
    mappedIsLocal: udp.mappedIsLocal,
    mapping: udp.mapping,
    filtering: udp.filtering,
  });
  const result: NatDiscoveryResult = {
    natType,
    udp: { mapping: udp.mapping, filtering: udp.filtering },
    tcp: { mapping: tcp.mapping },
    publicIp: udp.mapped?.address ?? tcp.mapped?.address ?? null,
    localIp: localIp ? normalizeIp(localIp) : null,
    servers: [
      ...udp.reports,
      ...unresolved(udpResolved, "udp"),
      ...tcp.reports,
      ...unresolved(tcpResolved, "tcp"),
    ],
    durationMs: Math.round(performance.now() - started),
  };
  if (udp.mapped) result.mappedUdp = formatAddress(udp.mapped);
  if (tcp.mapped) result.mappedTcp = formatAddress(tcp.mapped);
  return result;
}

function unique(names: string[]): string[] {
  return [...new Set(names.map((n) => n.trim()).filter((n) => n.length > 0))];
}

interface UdpDiscovery {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  mapped?: MappedPoint;
  mappedIsLocal: boolean;
  anyAnswer: boolean;
  reports: ServerReport[];
}

async function discoverUdp(
  servers: { name: string; endpoint: Endpoint }[],
  options: { localAddress: string | undefined; rto: number; signal: AbortSignal },
): Promise<UdpDiscovery> {
  const none: UdpDiscovery = {
    mapping: "UNKNOWN",
    filtering: "UNKNOWN",
    mappedIsLocal: false,
    anyAnswer: false,
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
  let mappingSocket: UdpStunClient;
  try {
    mappingSocket = await UdpStunClient.open({ localAddress: options.localAddress, family });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...none,
      reports: servers.map((s) => ({ server: s.name, transport: "udp", ok: false, reason: why })),
    };
  }
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

  const verdict = probes.find((p) => p.capable);
  const answered = probes.filter((p) => p.report.ok && p.mapped);
  let mapping: NatBehaviour;
  let filtering: NatBehaviour;
  let mapped: MappedPoint | undefined;
  if (verdict) {
    verdict.report.role = "behaviour";
    mapping = verdict.mapping;
    filtering = verdict.filtering;
    mapped = verdict.mapped;
  } else {
    // No server could run RFC 5780 tests: compare what several servers saw for one local port.
    for (const p of answered) p.report.role = "mapping";
    mapping = mappingFromServers(
      answered.map((p, i) => ({
        server: servers[probes.indexOf(answered[i]!)]!.endpoint,
        mapped: p.mapped!,
      })),
    );
    filtering = "UNKNOWN";
    mapped = answered[0]?.mapped;
  }
  const own = hostAddresses();
  if (options.localAddress) own.add(normalizeIp(options.localAddress));
  return {
    mapping,
    filtering,
    mapped,
    mappedIsLocal: mapped !== undefined && mapped.port === localPort && own.has(normalizeIp(mapped.address)),
    anyAnswer: probes.some((p) => p.answered),
    reports: [...probes.map((p) => p.report), ...skipped],
  };
}
