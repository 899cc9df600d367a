import type { TunnelActivityEntry, TunnelUdpActivity } from "@autostun/plugins-api";

/**
 * How long a UDP side may stay quiet, once a TCP peer proved the public address and the UDP mapping
 * sits on that same port, before the check warns. A swarm that found the port over TCP also learned it
 * for uTP (trackers and the DHT hand out one port), and clients that speak uTP usually try it within a
 * few minutes; ten minutes leaves room for slow announces yet is shorter than the default check
 * schedule (15 minutes), so the next scheduled run already says something.
 */
export const UDP_QUIET_MINUTES = 10;

/**
 * What the tunnels' UDP sides show, judged on their own:
 * - `proven`: a UDP peer session came in (the earliest is named);
 * - `quiet`: TCP peers came, the UDP side sat on the same port for {@link UDP_QUIET_MINUTES}, no UDP peer;
 * - `waiting`: on the same port, no UDP peer yet, but not quiet for long enough to say so;
 * - `unprovable`: no UDP side is OPEN on the TCP public port, so no UDP peer could prove anything.
 */
export type UdpOutcome = "proven" | "quiet" | "waiting" | "unprovable";

export interface UdpFinding {
  outcome: UdpOutcome;
  tunnel: TunnelActivityEntry;
  udp: TunnelUdpActivity;
  /** `quiet`, `waiting`: when the quiet time began (the later of the first TCP peer and the same port). */
  quietSince?: string;
  /** `quiet`, `waiting`: how long it has lasted, in whole minutes. */
  quietMinutes?: number;
  /** `waiting` after a TCP peer: when the check starts to warn if no UDP peer came by then. */
  warnAt?: string;
}

/** Undefined when no tunnel has a UDP side (`udp: false` everywhere): the check then speaks of TCP only. */
export function findUdp(tunnels: readonly TunnelActivityEntry[], now: Date): UdpFinding | undefined {
  const withUdp = tunnels.filter((t): t is TunnelActivityEntry & { udp: TunnelUdpActivity } => !!t.udp);
  if (withUdp.length === 0) return undefined;
  const onSamePort = withUdp.filter((t) => t.udp.state === "OPEN" && t.udp.samePort);
  // A quiet tunnel is worth a warning even when another tunnel's downloader does speak uTP.
  const timed = onSamePort
    .filter((t) => t.udp.firstInboundAt === undefined)
    .map((t) => ({ tunnel: t, since: quietSince(t) }))
    .filter((t): t is { tunnel: (typeof onSamePort)[number]; since: number } => t.since !== undefined)
    .sort((a, b) => a.since - b.since);
  const quiet = timed[0];
  const quietMs = quiet ? Math.max(0, now.getTime() - quiet.since) : 0;
  if (quiet && quietMs >= UDP_QUIET_MINUTES * 60_000)
    return {
      outcome: "quiet",
      tunnel: quiet.tunnel,
      udp: quiet.tunnel.udp,
      quietSince: new Date(quiet.since).toISOString(),
      quietMinutes: Math.floor(quietMs / 60_000),
    };
  const proven = withUdp
    .filter((t) => t.udp.firstInboundAt !== undefined)
    .sort((a, b) => String(a.udp.firstInboundAt).localeCompare(String(b.udp.firstInboundAt)))[0];
  if (proven) return { outcome: "proven", tunnel: proven, udp: proven.udp };
  if (quiet)
    return {
      outcome: "waiting",
      tunnel: quiet.tunnel,
      udp: quiet.tunnel.udp,
      quietSince: new Date(quiet.since).toISOString(),
      quietMinutes: Math.floor(quietMs / 60_000),
      warnAt: new Date(quiet.since + UDP_QUIET_MINUTES * 60_000).toISOString(),
    };
  const ready = onSamePort[0];
  if (ready) return { outcome: "waiting", tunnel: ready, udp: ready.udp };
  const first = withUdp[0] as (typeof withUdp)[number];
  return { outcome: "unprovable", tunnel: first, udp: first.udp };
}

/** The quiet time counts only once a TCP peer showed that peers know the port; undefined before. */
function quietSince(tunnel: TunnelActivityEntry & { udp: TunnelUdpActivity }): number | undefined {
  if (!tunnel.firstInboundAt) return undefined;
  const tcp = Date.parse(tunnel.firstInboundAt);
  const samePort = tunnel.udp.samePortSince ? Date.parse(tunnel.udp.samePortSince) : Number.NaN;
  if (Number.isNaN(tcp)) return undefined;
  return Number.isNaN(samePort) ? tcp : Math.max(tcp, samePort);
}
