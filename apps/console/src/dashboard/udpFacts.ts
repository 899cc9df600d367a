import type { MessageKey } from "../i18n/en.js";
import type { MessageParams } from "../i18n/translate.js";
import type { TunnelUdp } from "./types.js";

/**
 * The one line that tells whether uTP and DHT reach the port the downloader announces: the same port as
 * TCP, UDP held on another port (with the daemon's reason), or no UDP mapping yet (with the reason).
 */
export function udpPortLine(udp: TunnelUdp): { key: MessageKey; params?: MessageParams; same: boolean } {
  if (udp.samePort) return { key: "dashboard.udp.samePort", same: true };
  if (udp.publicAddress)
    return { key: "dashboard.udp.otherPort", params: { reason: udp.reason }, same: false };
  return { key: "dashboard.udp.noMapping", params: { reason: udp.reason }, same: false };
}

const matches = ["SAME_LOCAL_PORT", "SEARCH", "PAIR", "DOWNLOADER"] as const;

/** How the equal port was reached, in words; a way a newer daemon added reads as "other". */
export function udpMatchKey(match: string): MessageKey {
  return (matches as readonly string[]).includes(match)
    ? (`dashboard.udp.match.${match as (typeof matches)[number]}` as const)
    : "dashboard.udp.match.OTHER";
}

/** What the last equal-port search spent, for the line under the UDP facts; null while none ran. */
export function udpSearchLine(
  udp: TunnelUdp,
): { key: MessageKey; params: MessageParams; code: string | null } | null {
  const search = udp.search;
  if (!search) return null;
  const params = {
    sockets: search.sockets,
    packets: search.packets,
    seconds: (search.elapsedMs / 1000).toFixed(1),
  };
  return search.outcome === "FOUND"
    ? { key: "dashboard.udp.searchFound", params, code: null }
    : { key: "dashboard.udp.searchMissed", params, code: search.code };
}
