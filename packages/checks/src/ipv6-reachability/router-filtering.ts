import { discoverNat, type NatBehaviour } from "@autostun/stun";

/** The router's inbound IPv6 filtering as RFC 5780 behaviour discovery measured it from one address. */
export interface RouterFiltering {
  /** The local address the probes went out from. */
  from: string;
  filtering: NatBehaviour;
  /** The servers tried, and those that answered over IPv6. */
  tried: string[];
  answered: string[];
  /** Why servers gave no answer, per server ("host:port: reason"). */
  problems: string[];
}

/**
 * Runs behaviour discovery over UDP from `from` (a global IPv6 address of this host). Resolution then
 * keeps only IPv6 answers, so IPv4-only servers in the list end up among `problems`, not as silence.
 */
export async function measureRouterFiltering(input: {
  from: string;
  servers: readonly string[];
  signal: AbortSignal;
  timeoutMs: number;
  rto: number;
}): Promise<RouterFiltering> {
  const result = await discoverNat({
    udpServers: [...input.servers],
    tcpServers: [],
    localAddress: input.from,
    signal: input.signal,
    timeoutMs: input.timeoutMs,
    rto: input.rto,
  });
  const udp = result.servers.filter((s) => s.transport === "udp");
  return {
    from: input.from,
    filtering: result.udp.filtering,
    tried: udp.map((s) => s.server),
    answered: udp.filter((s) => s.ok).map((s) => s.server),
    problems: udp.filter((s) => !s.ok).map((s) => `${s.server}: ${s.reason ?? "no answer"}`),
  };
}
