import { localize, type MessageParams } from "@autostun/plugins-api";
import { statusMessages } from "./status-messages.js";

/** What `autostun status` asks the daemon for; `--json` prints the answer as it came. */
export const STATUS_QUERY = `{
  tunnels {
    id state reason localPort publicAddress { ip port } path stats { active handled blocked bytesIn bytesOut }
    downloader { kind state requestedPort verifiedPort errorKind error }
    upnp { state protocol externalIp externalPort error }
    udp { state reason publicAddress { ip port } samePort }
    ipv6 { address port pinhole { state protocol tcp udp leaseEndsAt error } }
  }
  checks { id title status summary }
}`;

export interface StatusTunnel {
  id: string;
  state: string;
  reason: string;
  localPort: number | null;
  publicAddress: { ip: string; port: number } | null;
  path: string;
  /** Each number null when the daemon does not know it (the tunnel is not forwarding). */
  stats: {
    active: number | null;
    handled: number | null;
    blocked: number | null;
    bytesIn: number | null;
    bytesOut: number | null;
  };
  /** Null for a tunnel without a downloader. */
  downloader: {
    kind: string;
    state: string;
    requestedPort: number | null;
    verifiedPort: number | null;
    errorKind: string | null;
    error: string | null;
  } | null;
  /** Null while UPnP is off or before the tunnel opened. */
  upnp: {
    state: string;
    protocol: string | null;
    externalIp: string | null;
    externalPort: number | null;
    error: string | null;
  } | null;
  /** The UDP mapping on the same public port (uTP, DHT); null for a tunnel with `udp: false`. */
  udp: {
    state: string;
    reason: string;
    publicAddress: { ip: string; port: number } | null;
    samePort: boolean;
  } | null;
  /** The downloader's IPv6 path; null until the tunnel opened. Its pinhole is null while UPnP is off. */
  ipv6: {
    address: string | null;
    port: number;
    pinhole: {
      state: string;
      protocol: string | null;
      tcp: boolean;
      udp: boolean;
      leaseEndsAt: string | null;
      error: string | null;
    } | null;
  } | null;
}

export interface StatusData {
  tunnels: StatusTunnel[];
  checks: { id: string; title: string; status: string; summary: string | null }[];
}

const MARK: Record<string, string> = { PASS: "✓", WARN: "!", FAIL: "✗", ERROR: "✗", SKIP: "-" };

function downloaderLines(d: NonNullable<StatusTunnel["downloader"]>, say: Say): string[] {
  const port =
    d.verifiedPort !== null
      ? say("downloader.verified", { port: d.verifiedPort })
      : d.requestedPort !== null
        ? say("downloader.asked", { port: d.requestedPort })
        : say("downloader.no-port");
  const lines = [`    ${say("downloader.line", { kind: d.kind, state: d.state, port })}`];
  // The kind (CREDENTIALS_REFUSED, UNREACHABLE…) names the failure as scripts and the docs do.
  if (d.error)
    lines.push(`      ${say("why", { error: d.errorKind ? `${d.errorKind}: ${d.error}` : d.error })}`);
  return lines;
}

function upnpLines(u: NonNullable<StatusTunnel["upnp"]>, say: Say): string[] {
  const mapped = u.protocol && u.externalIp && u.externalPort !== null;
  const line = mapped
    ? say("upnp.mapped", {
        protocol: u.protocol ?? "",
        state: u.state,
        ip: u.externalIp ?? "",
        port: u.externalPort ?? "",
      })
    : say("upnp.line", { state: u.state });
  const lines = [`    ${line}`];
  if (u.error) lines.push(`      ${say("why", { error: u.error })}`);
  return lines;
}

/** Where IPv6 peers reach the downloader, and the router's pinhole for it when one was asked for. */
function ipv6Lines(v: NonNullable<StatusTunnel["ipv6"]>, say: Say): string[] {
  const lines = [
    `    ${v.address ? say("ipv6.line", { address: v.address, port: v.port }) : say("ipv6.no-address", { port: v.port })}`,
  ];
  const p = v.pinhole;
  if (!p) return lines;
  const transports = [p.tcp ? "TCP" : "", p.udp ? "UDP" : ""].filter(Boolean).join("+");
  lines.push(
    `    ${
      p.state !== "OPEN" || !transports
        ? say("ipv6.pinhole", { state: p.state })
        : p.leaseEndsAt
          ? say("ipv6.pinhole-open", { protocol: p.protocol ?? "", transports, until: p.leaseEndsAt })
          : say("ipv6.pinhole-open-endless", { protocol: p.protocol ?? "", transports })
    }`,
  );
  if (p.error) lines.push(`      ${say("why", { error: p.error })}`);
  return lines;
}

/**
 * One line for the UDP side: where it is and whether peers find it on the TCP port. When it is not, the
 * daemon's reason says why (what the search tried), since that is what the user acts on.
 */
function udpLine(u: StatusTunnel["udp"], say: Say): string {
  if (!u) return say("udp.off");
  const at = u.publicAddress ? `${u.publicAddress.ip}:${u.publicAddress.port}` : say("tunnel.no-address");
  if (u.samePort) return say("udp.same", { state: u.state, at });
  return say("udp.other", { state: u.state, at, reason: u.reason });
}

type Say = (key: string, params?: MessageParams) => string;

type Counters = { [K in keyof StatusTunnel["stats"]]: number };

/** The counters, or that they are not known: a null from the daemon is never printed as a zero. */
function statsLine(stats: StatusTunnel["stats"], say: Say): string {
  const known = (s: StatusTunnel["stats"]): s is Counters => Object.values(s).every((n) => n !== null);
  return known(stats) ? say("tunnel.stats", { ...stats }) : say("tunnel.stats-unknown");
}

/** The status as a person reads it, in `locale` (the daemon already answered in it). */
export function statusText(data: StatusData, locale: string): string {
  const say: Say = (key, params) => localize(statusMessages.text(key, params), locale);
  const lines = [say("tunnels")];
  if (data.tunnels.length === 0) lines.push(`  ${say("tunnels.none")}`);
  for (const t of data.tunnels) {
    const at = t.publicAddress ? `${t.publicAddress.ip}:${t.publicAddress.port}` : say("tunnel.no-address");
    const localPort = t.localPort ?? say("tunnel.port-not-chosen");
    lines.push(
      `  ${say("tunnel.line", { id: t.id, state: t.state, at, localPort, path: t.path.toLowerCase() })}`,
    );
    lines.push(`    ${t.reason}`);
    lines.push(`    ${statsLine(t.stats, say)}`);
    lines.push(`    ${udpLine(t.udp, say)}`);
    if (t.downloader) lines.push(...downloaderLines(t.downloader, say));
    if (t.upnp) lines.push(...upnpLines(t.upnp, say));
    if (t.ipv6) lines.push(...ipv6Lines(t.ipv6, say));
  }
  lines.push(say("checks"));
  for (const c of data.checks)
    lines.push(`  ${MARK[c.status] ?? "·"} ${c.title} (${c.id}): ${c.summary ?? c.status}`);
  return `${lines.join("\n")}\n`;
}
