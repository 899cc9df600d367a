import type { PeerConnection } from "./types.js";

/** Which connections the table lists: every one, or only TCP connections or UDP sessions (uTP, DHT). */
export type ProtocolFilter = "ALL" | PeerConnection["protocol"];

export const PROTOCOL_FILTERS: readonly ProtocolFilter[] = ["ALL", "TCP", "UDP"];

/** The connections of the chosen protocol; "ALL" keeps every one, whatever protocol a newer daemon adds. */
export function filterByProtocol<T extends Pick<PeerConnection, "protocol">>(
  connections: readonly T[],
  filter: ProtocolFilter,
): T[] {
  return filter === "ALL" ? [...connections] : connections.filter((c) => c.protocol === filter);
}

/** Reads the select's value back; anything else (a stale or edited value) means no filter. */
export function parseProtocolFilter(value: string): ProtocolFilter {
  return (PROTOCOL_FILTERS as readonly string[]).includes(value) ? (value as ProtocolFilter) : "ALL";
}
