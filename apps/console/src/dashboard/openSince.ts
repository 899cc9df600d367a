/** A tunnel's id and state, all the uptime bookkeeping needs. */
interface StateOf {
  id: string;
  state: string;
}

/**
 * Ids of tunnels that were known in another state before and are OPEN now: the page's own guess at
 * when uptime began, for daemons without `Tunnel.openSince`. A tunnel seen for the first time (page
 * load, reload) is not among them: it may have been open for days.
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
 * Where the current open stretch began: the daemon's `openSince` when it has the field (right even
 * after a page load), else when the page saw the tunnel open, else its last recovery (which ended in
 * OPEN); null when it is not open or nothing is known.
 */
export function openSince(
  tunnel: { state: string; lastRecoveryAt: string | null; openSince?: string | null },
  seenOpenAt: number | undefined,
): number | null {
  if (tunnel.state !== "OPEN") return null;
  if (tunnel.openSince) return Date.parse(tunnel.openSince);
  if (seenOpenAt !== undefined) return seenOpenAt;
  return tunnel.lastRecoveryAt ? Date.parse(tunnel.lastRecoveryAt) : null;
}
