import type { DownloaderIpv6Listening, DownloaderPeer } from "@autostun/plugins-api";
import { infoHashOf, MAX_TORRENTS_ASKED, peerAddress } from "../peer-address.js";

/** One row of `torrents/info`, the fields read here. */
interface TorrentRow {
  hash?: unknown;
  state?: unknown;
  num_seeds?: unknown;
  num_leechs?: unknown;
  last_activity?: unknown;
}

/** One peer of `sync/torrentPeers`, the fields read here. */
interface SyncPeer {
  ip?: unknown;
  port?: unknown;
  flags?: unknown;
  connection?: unknown;
  client?: unknown;
}

const count = (value: unknown) => (typeof value === "number" && value > 0 ? value : 0);

/** States in which a torrent has no peer connections (stopped is 5.0's name for paused). */
const IDLE_STATE = /^(paused|stopped|queued|checking)|^(error|missingFiles|moving)$/;

/**
 * The torrents worth asking for peers, at most {@link MAX_TORRENTS_ASKED}: every one that runs, those
 * with connected seeds or leechers first, then the most recently active. The counts alone do not do:
 * qBittorrent 4.5 showed 0 and 0 for a torrent with a peer connected that had no pieces yet. One
 * `sync/torrentPeers` call a torrent, so a client with thousands of torrents stays quick.
 */
export function torrentsToAsk(rows: unknown): string[] {
  if (!Array.isArray(rows)) return [];
  return (rows as TorrentRow[])
    .filter((row) => !(typeof row?.state === "string" && IDLE_STATE.test(row.state)))
    .map((row) => ({
      hash: infoHashOf(row?.hash),
      peers: count(row?.num_seeds) + count(row?.num_leechs),
      active: count(row?.last_activity),
    }))
    .filter((row): row is { hash: string; peers: number; active: number } => row.hash !== undefined)
    .sort((a, b) => b.peers - a.peers || b.active - a.active)
    .slice(0, MAX_TORRENTS_ASKED)
    .map((row) => row.hash);
}

/**
 * The peers of one `sync/torrentPeers?hash=` answer. `flags` is a space-separated list where `I` marks
 * a peer that connected to us; `connection` is `BT` for TCP and `μTP` for uTP (Web seeds have neither).
 */
export function peersFromSync(hash: string, answer: unknown): DownloaderPeer[] {
  const peers = (answer as { peers?: unknown } | null)?.peers;
  if (typeof peers !== "object" || peers === null) return [];
  const out: DownloaderPeer[] = [];
  for (const peer of Object.values(peers as Record<string, SyncPeer>)) {
    if (typeof peer?.ip !== "string" || typeof peer.port !== "number") continue;
    const flags = typeof peer.flags === "string" ? peer.flags.split(/\s+/) : [];
    const connection = typeof peer.connection === "string" ? peer.connection : "";
    const transport = connection === "BT" ? "TCP" : /^(μ|u)TP$/i.test(connection) ? "UTP" : undefined;
    out.push({
      address: peerAddress(peer.ip, peer.port),
      incoming: typeof peer.flags === "string" ? flags.includes("I") : undefined,
      ...(transport ? { transport } : {}),
      ...(typeof peer.client === "string" && peer.client !== "" ? { client: peer.client } : {}),
      infoHash: hash,
    });
  }
  return out;
}

/** The two preferences that decide where qBittorrent listens. */
export interface ListenChoice {
  networkInterface: string;
  address: string;
}

export function listenChoiceOf(preferences: unknown): ListenChoice | undefined {
  const prefs = preferences as { current_network_interface?: unknown; current_interface_address?: unknown };
  if (typeof prefs?.current_interface_address !== "string") return undefined;
  return {
    networkInterface:
      typeof prefs.current_network_interface === "string" ? prefs.current_network_interface : "",
    address: prefs.current_interface_address,
  };
}

/**
 * What qBittorrent 4.5 does with the two: an empty address is every address (IPv4 and IPv6), `0.0.0.0`
 * every IPv4 address only, `::` every IPv6 address only, anything else that one address. With a named
 * interface they pick among that interface's addresses, so an empty address there listens on IPv6 only
 * if the interface has an IPv6 address, which the preferences do not say.
 */
export function ipv6ListeningOf(choice: ListenChoice): DownloaderIpv6Listening {
  const setting = [
    ...(choice.networkInterface ? [`current_network_interface = ${choice.networkInterface}`] : []),
    `current_interface_address = ${choice.address === "" ? '"" (all addresses)' : choice.address}`,
  ].join(", ");
  let listens: boolean | undefined;
  if (choice.address === "") listens = choice.networkInterface === "" ? true : undefined;
  else listens = choice.address.includes(":");
  return { listens, setting, changeable: true };
}
