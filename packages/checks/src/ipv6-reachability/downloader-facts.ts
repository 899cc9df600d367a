import type {
  DownloaderPeer,
  Downloaders,
  TunnelActivityEntry,
  TunnelIpv6Activity,
} from "@autostun/plugins-api";
import { isGlobalUnicast6 } from "./host-facts.js";

/** Which port is judged, and where it came from. */
export interface Ipv6Subject {
  /** The downloader's peer port; undefined when neither a tunnel nor the config names one. */
  port: number | undefined;
  portSource: "tunnel" | "config" | "unknown";
  /** The tunnel whose downloader it is (only from tunnels). */
  tunnelId?: string;
  /** The downloader's global IPv6 address as the tunnel knows it. */
  address?: string;
  pinhole?: TunnelIpv6Activity["pinhole"];
}

/**
 * The tunnels know the downloader's port over IPv6 (their target port) and the pinhole they hold; a
 * tunnel with an OPEN pinhole is preferred, as the one the router lets peers in to. Without tunnels
 * the check's own config key names the port.
 */
export function pickSubject(
  entries: readonly TunnelActivityEntry[],
  configured: number | undefined,
): Ipv6Subject {
  const withIpv6 = entries.filter((e) => e.ipv6 !== undefined && e.ipv6.port > 0);
  const chosen = withIpv6.find((e) => e.ipv6?.pinhole?.state === "OPEN") ?? withIpv6[0];
  if (chosen?.ipv6)
    return {
      port: chosen.ipv6.port,
      portSource: "tunnel",
      tunnelId: chosen.id,
      ...(chosen.ipv6.address ? { address: chosen.ipv6.address } : {}),
      ...(chosen.ipv6.pinhole ? { pinhole: chosen.ipv6.pinhole } : {}),
    };
  if (configured !== undefined) return { port: configured, portSource: "config" };
  return { port: undefined, portSource: "unknown" };
}

/** What the downloader's own settings say about listening on IPv6. */
export type ClientListening =
  | { tunnelId: string; listens: boolean | undefined; setting: string; changeable: boolean }
  | { tunnelId: string; error: string };

/** One peer of the swarm that connected in over a global IPv6 address. */
export interface IncomingIpv6Peer {
  tunnelId: string;
  address: string;
  client?: string;
  transport?: "TCP" | "UTP";
}

/** What the downloaders' peer lists say, per tunnel. */
export interface SwarmReading {
  tunnels: Array<{
    tunnelId: string;
    supported: boolean;
    error?: string;
    peers: number;
    /** Peers at a global IPv6 address, and of those: came in, went out, direction not told. */
    ipv6: number;
    incomingIpv6: number;
    unknownDirectionIpv6: number;
  }>;
  incoming: IncomingIpv6Peer[];
}

/** The address part of `[2001:db8::1]:51413`, `2001:db8::1` or `192.0.2.1:51413`. */
export function peerHost(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) return bracketed[1];
  const colons = address.split(":").length - 1;
  return colons === 1 ? (address.split(":")[0] ?? address) : address;
}

/** Sorts one tunnel's peers: pure, so fixtures decide it. */
export function readSwarmPeers(
  tunnelId: string,
  answer: { supported: boolean; peers: readonly DownloaderPeer[]; error?: { message: string } },
): { summary: SwarmReading["tunnels"][number]; incoming: IncomingIpv6Peer[] } {
  const ipv6 = answer.peers.filter((p) => isGlobalUnicast6(peerHost(p.address)));
  const incoming = ipv6.filter((p) => p.incoming === true);
  return {
    summary: {
      tunnelId,
      supported: answer.supported,
      ...(answer.error ? { error: answer.error.message } : {}),
      peers: answer.peers.length,
      ipv6: ipv6.length,
      incomingIpv6: incoming.length,
      unknownDirectionIpv6: ipv6.filter((p) => p.incoming === undefined).length,
    },
    incoming: incoming.map((p) => ({
      tunnelId,
      address: p.address,
      ...(p.client ? { client: p.client } : {}),
      ...(p.transport ? { transport: p.transport } : {}),
    })),
  };
}

/** Asks every configured downloader for its peers; a failing one is noted, never thrown. */
export async function readSwarm(downloaders: Downloaders, signal: AbortSignal): Promise<SwarmReading> {
  const reading: SwarmReading = { tunnels: [], incoming: [] };
  for (const configured of await downloaders.list()) {
    let answer: { supported: boolean; peers: DownloaderPeer[]; error?: { message: string } };
    try {
      answer = await downloaders.peers(configured.tunnelId, { signal });
    } catch (error) {
      answer = { supported: true, peers: [], error: { message: (error as Error).message } };
    }
    const { summary, incoming } = readSwarmPeers(configured.tunnelId, answer);
    reading.tunnels.push(summary);
    reading.incoming.push(...incoming);
  }
  return reading;
}

/** Asks the tunnel's downloader whether it listens on IPv6; undefined when it cannot tell. */
export async function readClientListening(
  downloaders: Downloaders,
  tunnelId: string,
  signal: AbortSignal,
): Promise<ClientListening | undefined> {
  try {
    const answer = await downloaders.ipv6Listening(tunnelId, { signal });
    if (answer === undefined) return undefined;
    if ("error" in answer) return { tunnelId, error: answer.error.message };
    return { tunnelId, listens: answer.listens, setting: answer.setting, changeable: answer.changeable };
  } catch (error) {
    return { tunnelId, error: (error as Error).message };
  }
}

/** A peer that proved inbound IPv6, with when it was first and last seen. */
export interface SwarmProof extends IncomingIpv6Peer {
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * Incoming IPv6 peers seen across runs of the check in this process, so "when" is the first sighting,
 * not the latest run. Kept small: the oldest entries go first.
 */
export class IncomingPeerRecord {
  private readonly seen = new Map<string, SwarmProof>();

  constructor(private readonly limit = 32) {}

  /** Notes the peers seen now; returns every recorded proof, the earliest first. */
  note(peers: readonly IncomingIpv6Peer[], now: Date): SwarmProof[] {
    const at = now.toISOString();
    for (const peer of peers) {
      const key = `${peer.tunnelId}|${peerHost(peer.address).toLowerCase()}`;
      const known = this.seen.get(key);
      this.seen.set(key, { ...peer, firstSeenAt: known?.firstSeenAt ?? at, lastSeenAt: at });
    }
    while (this.seen.size > this.limit) {
      const oldest = this.list()[0];
      if (!oldest) break;
      this.seen.delete(`${oldest.tunnelId}|${peerHost(oldest.address).toLowerCase()}`);
    }
    return this.list();
  }

  private list(): SwarmProof[] {
    return [...this.seen.values()].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  }
}

/**
 * The tunnel whose downloader is asked about IPv6: the one the port came from, else the only tunnel
 * with a downloader (with several and no port from a tunnel, which one listens on the port is unknown).
 */
export function downloaderTunnel(
  fromPort: string | undefined,
  configured: readonly string[],
): string | undefined {
  if (fromPort) return configured.includes(fromPort) ? fromPort : undefined;
  return configured.length === 1 ? configured[0] : undefined;
}
