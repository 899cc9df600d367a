import type { PeerConnection } from "./types.js";

/** One bar of the peers-by-country chart; `country` null gathers peers the GeoIP data cannot place. */
export interface CountryCount {
  country: string | null;
  peers: number;
}

/**
 * Live peers per country, most first, with the tail beyond `top` folded into one "other" bar
 * (country "*"), so a swarm from fifty countries still fits a phone screen.
 */
export function peersByCountry(connections: readonly PeerConnection[], top = 8): CountryCount[] {
  const counts = new Map<string | null, number>();
  for (const connection of connections) {
    if (connection.closedAt) continue;
    const country = connection.geo?.country ?? null;
    counts.set(country, (counts.get(country) ?? 0) + 1);
  }
  const sorted = [...counts.entries()]
    .map(([country, peers]) => ({ country, peers }))
    .sort((a, b) => b.peers - a.peers || String(a.country).localeCompare(String(b.country)));
  if (sorted.length <= top) return sorted;
  const rest = sorted.slice(top - 1).reduce((sum, entry) => sum + entry.peers, 0);
  return [...sorted.slice(0, top - 1), { country: "*", peers: rest }];
}
