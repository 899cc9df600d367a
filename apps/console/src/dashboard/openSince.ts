/** A tunnel's id and state, all the uptime bookkeeping needs. */
interface StateOf {
  id: string;
  state: string;
}

/**
 * Ids of tunnels that were known in another state before and are OPEN now. A tunnel seen for the
 * first time (page load, reload) is not among them: it may have been open for days, and the API does
 * not say since when, so its uptime stays unknown rather than restarting at zero.
 */
export function turnedOpen(before: ReadonlyMap<string, string>, now: readonly StateOf[]): string[] {
  return now
    .filter((tunnel) => {
      const previous = before.get(tunnel.id);
      return previous !== undefined && previous !== "OPEN" && tunnel.state === "OPEN";
    })
    .map((tunnel) => tunnel.id);
}

/**
 * Where the current open stretch began, as far as the page can tell: when it saw the tunnel open,
 * else its last recovery (which ended in OPEN); null when it is not open or nothing is known.
 */
export function openSince(
  tunnel: { state: string; lastRecoveryAt: string | null },
  seenOpenAt: number | undefined,
): number | null {
  if (tunnel.state !== "OPEN") return null;
  if (seenOpenAt !== undefined) return seenOpenAt;
  return tunnel.lastRecoveryAt ? Date.parse(tunnel.lastRecoveryAt) : null;
}
