import type {
  CheckOutcome,
  CheckResult,
  Guidance,
  LocalizedText,
  TunnelActivityEntry,
} from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";
import { findUdp, UDP_QUIET_MINUTES, type UdpFinding } from "./udp-finding.js";

/** The user guide's section on uTP and the DHT, which the UDP guidance links to. */
export const UDP_GUIDE_LINK = "docs/user-guide.md#utp-and-dht";

export interface ReachabilityInput {
  tunnels: readonly TunnelActivityEntry[];
  /** Outcomes of the checks this one depends on; undefined when they did not run in this diagnosis. */
  firewall: CheckOutcome | undefined;
  nat: CheckOutcome | undefined;
  /** The moment judged, against which a quiet UDP side is timed; the present when left out. */
  now?: Date;
}

/** NAT types through which an unsolicited inbound connection can arrive at all. */
const INBOUND_NAT_TYPES = new Set(["NAT1", "OPEN"]);

/** Which other finding best explains an open tunnel that nobody has reached yet. */
export type Suspect = "firewall" | "gateway" | "downloader";

export function suspectFor(firewall: CheckOutcome | undefined, nat: CheckOutcome | undefined): Suspect {
  if (firewall && firewall.status !== "PASS" && firewall.status !== "SKIP") return "firewall";
  if (nat && (nat.status !== "PASS" || !INBOUND_NAT_TYPES.has(String(nat.facts.natType)))) return "gateway";
  return "downloader";
}

/**
 * TCP decides as it always did; a tunnel's UDP side (when it has one) adds what it showed, and turns
 * a TCP pass into a warning once it stayed quiet too long on the same port (`udp-finding.ts`).
 */
export function decideReachability(input: ReachabilityInput): CheckResult {
  const tcp = decideTcp(input);
  const udp = findUdp(input.tunnels, input.now ?? new Date());
  return udp ? addUdp(tcp, udp, input.nat) : tcp;
}

function decideTcp(input: ReachabilityInput): CheckResult {
  const tunnels = input.tunnels.map((t) => ({ ...t }));
  const reached = input.tunnels
    .filter((t) => t.firstInboundAt !== undefined)
    .sort((a, b) => String(a.firstInboundAt).localeCompare(String(b.firstInboundAt)))[0];
  if (reached) {
    const via = reached.firstInboundVia ?? reached.publicAddress ?? "-";
    // Kernel forwarding counts peers without naming them.
    const key = reached.firstInboundFrom ? "summary.reached" : "summary.reached-counted";
    return {
      status: "PASS",
      summary: messages.text(key, {
        tunnel: reached.id,
        via,
        peer: reached.firstInboundFrom ?? "-",
        at: reached.firstInboundAt ?? "-",
      }),
      facts: {
        tunnelId: reached.id,
        publicAddress: via,
        peer: reached.firstInboundFrom ?? null,
        firstInboundAt: reached.firstInboundAt,
        lastInboundAt: reached.lastInboundAt ?? reached.firstInboundAt,
        tunnels,
      },
    };
  }
  if (input.tunnels.length === 0) {
    return {
      status: "WARN",
      summary: messages.text("summary.no-tunnel"),
      facts: { tunnels },
      guidance: guidance("guidance.no-tunnel", GUIDE_LINKS.tunnel),
    };
  }
  const open = input.tunnels.filter((t) => t.state === "OPEN" && t.publicAddress);
  if (open.length === 0) {
    const states = input.tunnels.map((t) => `${t.id} ${t.state}`).join(", ");
    return {
      status: "WARN",
      summary: messages.text("summary.not-open", { states }),
      facts: { tunnels },
      guidance: guidance("guidance.not-open", GUIDE_LINKS.tunnel),
    };
  }
  const suspect = suspectFor(input.firewall, input.nat);
  const addresses = open.map((t) => `${t.id} → ${t.publicAddress}`).join(", ");
  const port = open[0]?.publicAddress?.replace(/^.*:/, "") ?? "";
  const natType = input.nat ? String(input.nat.facts.natType ?? "UNKNOWN") : "UNKNOWN";
  return {
    status: "WARN",
    summary: messages.text(`summary.waiting.${suspect}`, {
      addresses,
      firewall: input.firewall?.status ?? "-",
      natType,
    }),
    facts: {
      tunnels,
      suspect,
      firewall: input.firewall?.status ?? null,
      natType: input.nat ? natType : null,
    },
    guidance: guidance(`guidance.${suspect}`, LINKS[suspect], {
      port,
      address: open[0]?.publicAddress ?? "",
    }),
  };
}

const LINKS: Record<Suspect, string> = {
  firewall: GUIDE_LINKS.firewall,
  gateway: GUIDE_LINKS.nat,
  downloader: GUIDE_LINKS.nat,
};

function guidance(key: string, docs: string, params: Record<string, string> = {}): Guidance {
  return {
    title: messages.text(`${key}.title`, params),
    steps: messages.steps(`${key}.steps`, params),
    docs,
  };
}

function addUdp(tcp: CheckResult, found: UdpFinding, nat: CheckOutcome | undefined): CheckResult {
  const facts = { ...tcp.facts, udp: udpFacts(found) };
  const { tunnel, udp } = found;
  if (tcp.status === "PASS" && found.outcome === "quiet") {
    const via = tunnel.firstInboundVia ?? tunnel.publicAddress ?? "-";
    const filtering = (nat?.facts.udp as { filtering?: unknown } | undefined)?.filtering;
    return {
      status: "WARN",
      summary: messages.text("summary.udp-quiet", {
        tunnel: tunnel.id,
        via,
        peer: tunnel.firstInboundFrom ?? "-",
        at: tunnel.firstInboundAt ?? "-",
        minutes: found.quietMinutes ?? UDP_QUIET_MINUTES,
        since: found.quietSince ?? "-",
      }),
      facts,
      guidance: udpQuietGuidance(
        { address: udp.publicAddress ?? via, localPort: String(udp.localPort ?? "-") },
        typeof filtering === "string" ? filtering : undefined,
      ),
    };
  }
  const clause = udpClause(found, tcp.status === "PASS");
  if (!clause) return { ...tcp, facts };
  return {
    ...tcp,
    summary: messages.text("summary.with-udp", { main: tcp.summary ?? "", udp: clause }),
    facts,
  };
}

/**
 * The UDP sentence added to the TCP summary. While TCP itself waits, only a UDP peer is news: that the
 * UDP side waits too, or cannot be proven, adds nothing the user could act on before TCP works.
 */
function udpClause(found: UdpFinding, tcpPassed: boolean): LocalizedText | undefined {
  const { tunnel, udp } = found;
  if (found.outcome === "proven") {
    const params = { via: udp.firstInboundVia ?? udp.publicAddress ?? "-", at: udp.firstInboundAt ?? "-" };
    return udp.firstInboundFrom
      ? messages.text("summary.udp.proven", { ...params, peer: udp.firstInboundFrom })
      : messages.text("summary.udp.proven-counted", params);
  }
  if (!tcpPassed) return undefined;
  if (found.outcome === "waiting")
    return found.warnAt
      ? messages.text("summary.udp.waiting-until", { tunnel: tunnel.id, warnAt: found.warnAt })
      : messages.text("summary.udp.waiting", { tunnel: tunnel.id });
  return messages.text(udp.state === "OPEN" ? "summary.udp.other-port" : "summary.udp.not-open", {
    tunnel: tunnel.id,
    state: udp.state,
    address: udp.publicAddress ?? "-",
    reason: udp.reason ?? "-",
  });
}

function udpFacts(found: UdpFinding): Record<string, unknown> {
  const { tunnel, udp } = found;
  return {
    outcome: found.outcome,
    tunnelId: tunnel.id,
    state: udp.state,
    samePort: udp.samePort,
    publicAddress: udp.publicAddress ?? null,
    localPort: udp.localPort ?? null,
    reason: udp.reason ?? null,
    peer: udp.firstInboundFrom ?? null,
    via: udp.firstInboundVia ?? null,
    firstInboundAt: udp.firstInboundAt ?? null,
    lastInboundAt: udp.lastInboundAt ?? udp.firstInboundAt ?? null,
    quietSince: found.quietSince ?? null,
    quietMinutes: found.quietMinutes ?? null,
    warnAt: found.warnAt ?? null,
    warnAfterMinutes: UDP_QUIET_MINUTES,
  };
}

/**
 * The uTP steps, with one about the gateway's UDP filtering as `nat.type` measured it: a gateway that
 * filters endpoint-independently is not the reason, so that step then points past it.
 */
function udpQuietGuidance(
  params: { address: string; localPort: string },
  filtering: string | undefined,
): Guidance {
  const steps = messages.steps("guidance.udp-quiet.steps", params);
  const variant =
    filtering === undefined || filtering === "UNKNOWN"
      ? "unknown"
      : filtering === "ENDPOINT_INDEPENDENT"
        ? "open"
        : "strict";
  // Before the host firewall step, which is last: the way in is walked from the outside.
  steps.splice(
    steps.length - 1,
    0,
    messages.text(`guidance.udp-quiet.filtering.${variant}`, { filtering: filtering ?? "" }),
  );
  return { title: messages.text("guidance.udp-quiet.title", params), steps, docs: UDP_GUIDE_LINK };
}
