import type { DownloaderIpv6Listening, DownloaderPeer } from "@autostun/plugins-api";
import { infoHashOf, MAX_TORRENTS_ASKED, peerAddress } from "../peer-address.js";

/** The `tellActive` keys read: BitTorrent downloads carry an info hash. */
export const ACTIVE_KEYS = ["gid", "infoHash"] as const;

/** The BitTorrent downloads of a `tellActive` answer, at most {@link MAX_TORRENTS_ASKED}. */
export function torrentsOf(active: unknown): { gid: string; infoHash: string }[] {
  if (!Array.isArray(active)) return [];
  const out: { gid: string; infoHash: string }[] = [];
  for (const row of active as { gid?: unknown; infoHash?: unknown }[]) {
    const infoHash = infoHashOf(row?.infoHash);
    if (typeof row?.gid === "string" && infoHash) out.push({ gid: row.gid, infoHash });
  }
  return out.slice(0, MAX_TORRENTS_ASKED);
}

/**
 * The peers of one `getPeers` answer. aria2 says nothing of direction and speaks BitTorrent over TCP
 * only; numbers come as strings. 1.36 lists a peer that connected to it with port 0 (its listen port is not known).
 */
export function peersOf(infoHash: string, answer: unknown): DownloaderPeer[] {
  if (!Array.isArray(answer)) return [];
  const out: DownloaderPeer[] = [];
  for (const peer of answer as { ip?: unknown; port?: unknown }[]) {
    const port = Number(peer?.port);
    if (typeof peer?.ip !== "string" || !Number.isInteger(port)) continue;
    out.push({ address: peerAddress(peer.ip, port), incoming: undefined, transport: "TCP", infoHash });
  }
  return out;
}

/** What a user does instead: aria2 answers OK to a change of disable-ipv6 at run time and keeps the old value. */
export const IPV6_SETTING_HELP =
  "aria2 takes disable-ipv6 only at start: remove --disable-ipv6 (or set disable-ipv6=false in aria2.conf) and restart aria2";

/** aria2 listens for peers on both families unless `disable-ipv6` is true. */
export function ipv6ListeningOf(global: Record<string, unknown> | null): DownloaderIpv6Listening {
  const value = global?.["disable-ipv6"];
  if (value !== "true" && value !== "false")
    return { listens: undefined, setting: "disable-ipv6 (not in aria2's answer)", changeable: false };
  return { listens: value === "false", setting: `disable-ipv6 = ${value}`, changeable: false };
}
