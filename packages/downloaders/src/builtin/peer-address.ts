/**
 * A peer's address in the one form the API hands out: `ip:port`, or `[ipv6]:port`. Clients give the IP
 * bare (qBittorrent, Transmission, aria2) or glued to the port without brackets (Deluge).
 */
export function peerAddress(ip: string, port: number | string): string {
  const bare = ip.trim().replace(/^\[(.*)\]$/, "$1");
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/** Deluge's `ip` field, `1.2.3.4:6881` or `2001:db8::1:6881` (IPv6 unbracketed): split at the last colon. */
export function splitGluedAddress(text: string): { ip: string; port: string } | undefined {
  const at = text.lastIndexOf(":");
  if (at <= 0 || !/^\d{1,5}$/.test(text.slice(at + 1))) return undefined;
  return { ip: text.slice(0, at), port: text.slice(at + 1) };
}

/** An info hash as the API hands it out: lower-case hex, or undefined when it is not one. */
export function infoHashOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const hash = value.trim().toLowerCase();
  return /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
}

/** How many torrents an adapter asks for peers one call each: a client with thousands stays quick. */
export const MAX_TORRENTS_ASKED = 50;
