import type { DownloaderIpv6Listening, DownloaderPeer } from "@autostun/plugins-api";
import { infoHashOf, peerAddress, splitGluedAddress } from "../peer-address.js";

interface DelugePeer {
  ip?: unknown;
  client?: unknown;
}

/**
 * The peers of `core.get_torrents_status({}, ["hash", "peers"])`, every torrent in one answer. Deluge
 * lists fully connected peers only and does not say which came in, nor over TCP or uTP.
 */
export function peersFromStatus(result: unknown): DownloaderPeer[] {
  if (typeof result !== "object" || result === null) return [];
  const out: DownloaderPeer[] = [];
  for (const [key, torrent] of Object.entries(
    result as Record<string, { hash?: unknown; peers?: unknown }>,
  )) {
    const infoHash = infoHashOf(torrent?.hash ?? key);
    const peers = Array.isArray(torrent?.peers) ? (torrent.peers as DelugePeer[]) : [];
    for (const peer of peers) {
      const split = typeof peer?.ip === "string" ? splitGluedAddress(peer.ip) : undefined;
      if (!split) continue;
      out.push({
        address: peerAddress(split.ip, split.port),
        incoming: undefined,
        ...(typeof peer.client === "string" && peer.client !== "" ? { client: peer.client } : {}),
        ...(infoHash ? { infoHash } : {}),
      });
    }
  }
  return out;
}

/** What a user does instead, since the API cannot make Deluge 2.0 listen on both families. */
export const IPV6_SETTING_HELP =
  'Deluge 2.0 listens on one address only (listen_interface, "Incoming Address" in its network preferences): empty means every IPv4 address and no IPv6; an IPv6 address there, written in brackets like [2001:db8::2], makes it listen on that address and stop taking IPv4 peers';

/**
 * Deluge 2.0 passes `listen_interface` to libtorrent as `<value>:<port>`, with `0.0.0.0` for an empty
 * one: empty listens on IPv4 only; a bracketed IPv6 address on that address only; a bare IPv6 address
 * (`::`) makes a listen string libtorrent cannot read, and Deluge listens nowhere. Later versions are
 * not judged.
 */
export function ipv6ListeningOf(listenInterface: string, version: string): DownloaderIpv6Listening {
  const value = listenInterface.trim();
  const setting = `listen_interface = ${value === "" ? '"" (0.0.0.0)' : value}`;
  if (!/^2\.0\./.test(version)) return { listens: undefined, setting, changeable: false };
  let listens: boolean | undefined;
  if (value === "") listens = false;
  else if (/^\[[0-9a-f:.]+\]$/i.test(value)) listens = true;
  else if (/^[0-9.]+$/.test(value) || value.includes(":")) listens = false;
  return { listens, setting, changeable: false };
}
