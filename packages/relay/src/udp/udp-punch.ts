import type { Endpoint } from "@autostun/stun";
import { type ResolvedEndpoint, resolveEndpoint } from "../punch/endpoint.js";
import type { PublicAddress, ServerFailure } from "../punch/stun-race.js";
import type { UdpAskOptions, UdpStunPort } from "./udp-stun-port.js";

/** What a punch over UDP learned: the mapped address of the socket, and whose answer won. */
export interface UdpPunchResult {
  publicAddress: PublicAddress;
  /** The configured "host:port" of the server whose answer came first. */
  server: string;
  /** That server's resolved address, for the keep-alives that follow. */
  endpoint: Endpoint;
}

/** No `stun.udp` server answered a Binding from this socket. */
export class UdpPunchFailedError extends Error {
  constructor(
    readonly failures: readonly ServerFailure[],
    localPort: number,
  ) {
    const list = failures.map((f) => `${f.server}: ${f.reason}`).join("; ");
    super(
      failures.length === 0
        ? "no STUN server over UDP is configured; add at least one to stun.udp"
        : `no STUN server answered over UDP from local port ${localPort} (${list}); check that the stun.udp ` +
            "servers are reachable from this host and that outbound UDP is not blocked (firewall, router)",
    );
    this.name = "UdpPunchFailedError";
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * STUN Binding over UDP from one socket to every server at once; the first answer wins and the
 * other transactions stop retransmitting. A dead server then costs nothing while another answers,
 * exactly as the TCP punch races its servers.
 */
export async function punchUdp(
  port: UdpStunPort,
  servers: readonly string[],
  options: UdpAskOptions,
  resolve: (server: string) => Promise<ResolvedEndpoint> = (server) =>
    resolveEndpoint(server, `STUN server ${server}`),
): Promise<UdpPunchResult> {
  if (servers.length === 0) throw new UdpPunchFailedError([], port.localPort);
  const race = new AbortController();
  const onOuterAbort = () => race.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const failures = new Map<string, ServerFailure>();
  const ask = async (server: string): Promise<UdpPunchResult> => {
    const endpoint = await resolve(server);
    const publicAddress = await port.ask(endpoint, { ...options, signal: race.signal });
    return { publicAddress, server, endpoint: { address: endpoint.address, port: endpoint.port } };
  };
  try {
    return await Promise.any(
      servers.map((server) =>
        ask(server).catch((error: unknown) => {
          failures.set(server, { server, reason: reasonOf(error), error });
          throw error;
        }),
      ),
    );
  } catch {
    throw new UdpPunchFailedError(
      servers.map((s) => failures.get(s) ?? { server: s, reason: "not asked", error: undefined }),
      port.localPort,
    );
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    race.abort();
  }
}
