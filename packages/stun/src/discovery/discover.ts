import { setMaxListeners } from "node:events";
import { formatAddress } from "../message/accessors.js";
import { normalizeIp } from "../message/ip.js";
import type { Endpoint } from "../transport/types.js";
import { classifyNat } from "./classify.js";
import { sourceAddressFor } from "./local-addresses.js";
import { isWildcard, resolveServer } from "./server-address.js";
import { discoverTcpMapping } from "./tcp-probe.js";
import type { DiscoverNatOptions, NatDiscoveryResult, ServerReport } from "./types.js";
import { discoverUdp } from "./udp-discovery.js";

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
    udpSilenceConfirmed: udp.silenceConfirmed,
    mappedIsLocal: udp.mappedIsLocal,
    mapping: udp.mapping,
    filtering: udp.filtering,
  });
  const result: NatDiscoveryResult = {
    natType,
    udp: {
      mapping: udp.mapping,
      filtering: udp.filtering,
      probes: udp.probes,
      attempts: udp.attempts,
      ...(udp.undecided ? { undecided: udp.undecided } : {}),
    },
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
