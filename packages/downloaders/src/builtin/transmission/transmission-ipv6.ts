import type { DownloaderIpv6Listening, DownloaderPeer } from "@autostun/plugins-api";
import { infoHashOf, peerAddress } from "../peer-address.js";

/** The `torrent-get` fields {@link peersFromTorrentGet} reads. */
export const PEER_FIELDS = ["hashString", "peers"] as const;

interface TorrentPeer {
  address?: unknown;
  port?: unknown;
  isIncoming?: unknown;
  isUTP?: unknown;
  clientName?: unknown;
}

/** Every peer of a `torrent-get` answer over all torrents: Transmission marks incoming ones and uTP ones. */
export function peersFromTorrentGet(args: Record<string, unknown>): DownloaderPeer[] {
  const torrents = Array.isArray(args.torrents) ? (args.torrents as Record<string, unknown>[]) : [];
  const out: DownloaderPeer[] = [];
  for (const torrent of torrents) {
    const infoHash = infoHashOf(torrent?.hashString);
    const peers = Array.isArray(torrent?.peers) ? (torrent.peers as TorrentPeer[]) : [];
    for (const peer of peers) {
      if (typeof peer?.address !== "string" || typeof peer.port !== "number") continue;
      out.push({
        address: peerAddress(peer.address, peer.port),
        incoming: typeof peer.isIncoming === "boolean" ? peer.isIncoming : undefined,
        ...(typeof peer.isUTP === "boolean"
          ? { transport: peer.isUTP ? ("UTP" as const) : ("TCP" as const) }
          : {}),
        ...(typeof peer.clientName === "string" && peer.clientName !== "" ? { client: peer.clientName } : {}),
        ...(infoHash ? { infoHash } : {}),
      });
    }
  }
  return out;
}

/** Where a user changes it: the RPC neither shows nor takes it (3.00 answers a set of it with success and ignores it). */
export const IPV6_SETTING_HELP =
  'Transmission\'s RPC cannot change where it listens: stop transmission-daemon, set "bind-address-ipv6" to "::" in its settings.json (in its config folder, e.g. /var/lib/transmission-daemon/info/settings.json), and start it again';

/**
 * Transmission binds its peer port on `bind-address-ipv6` (default `::`, every IPv6 address) whenever the
 * host has IPv6; 3.00's session-get does not carry the setting, so `listens` is unknown unless a later
 * version names it.
 */
export function ipv6ListeningOf(session: Record<string, unknown>): DownloaderIpv6Listening {
  const bind = session["bind-address-ipv6"];
  if (typeof bind !== "string")
    return {
      listens: undefined,
      setting: "bind-address-ipv6 in settings.json (not shown over RPC; default ::, every IPv6 address)",
      changeable: false,
    };
  return {
    listens: bind.includes(":") && bind !== "::1",
    setting: `bind-address-ipv6 = ${bind}`,
    changeable: false,
  };
}
