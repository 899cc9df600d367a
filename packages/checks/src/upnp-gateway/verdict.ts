import { type AddressKind, addressKindOf, meansAnotherNat } from "@autostun/ip";
import type {
  CheckResult,
  Guidance,
  MessageParams,
  TunnelActivityEntry,
  UpnpGatewayProbe,
} from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";

/** Why the check is not a plain PASS. */
export type Reason = "off" | "none" | "search-failed" | "refused" | "no-answer" | "second-nat";

/** The kind of the router's reported WAN address; undefined when it reported none or no IP address. */
function wanKind(probe: UpnpGatewayProbe): AddressKind | undefined {
  return probe.externalIp ? addressKindOf(probe.externalIp) : undefined;
}

function reasonOf(probe: UpnpGatewayProbe): Reason | undefined {
  if (probe.enabled === false) return "off";
  // A search that could not be sent is not a router that kept quiet: whether one is there is unknown.
  if (!probe.found) return probe.searchError ? "search-failed" : "none";
  const test = probe.testMapping;
  if (test && !test.mapped) return test.code !== undefined ? "refused" : "no-answer";
  const kind = wanKind(probe);
  if (kind && meansAnotherNat(kind)) return "second-nat";
  return undefined;
}

const STATUS = {
  off: "SKIP",
  none: "WARN",
  "search-failed": "WARN",
  refused: "FAIL",
  "no-answer": "FAIL",
  "second-nat": "WARN",
} as const;

/**
 * The verdict on what the home router said. FAIL only when a router answered and would not map (the
 * user can change that on the router); WARN when none answered (there may be no router to map on) or
 * when its WAN address shows a second NAT beyond it.
 */
export function decideUpnpGateway(
  probe: UpnpGatewayProbe,
  tunnels: readonly TunnelActivityEntry[] = [],
): CheckResult {
  const result = decideMappings(probe);
  const pinholes = ipv6Pinholes(tunnels);
  if (pinholes.length === 0) return result;
  const line = pinholes
    .map((p) => {
      const where = p.address ? `[${p.address}]:${p.port}` : `port ${p.port}`;
      const transports = [p.tcp ? "TCP" : "", p.udp ? "UDP" : ""].filter(Boolean).join("+");
      return `${p.tunnelId} ${where} ${p.state}${transports ? ` ${transports}` : ""}${p.leaseEndsAt ? ` → ${p.leaseEndsAt}` : ""}`;
    })
    .join("; ");
  return {
    ...result,
    summary: messages.text("summary.with-pinholes", { main: result.summary, pinholes: line }),
    facts: { ...result.facts, ipv6Pinholes: pinholes },
  };
}

/** The IPv6 pinholes the tunnels hold or asked for on the home router, one per tunnel. */
export function ipv6Pinholes(tunnels: readonly TunnelActivityEntry[]) {
  return tunnels.flatMap((t) => {
    const pinhole = t.ipv6?.pinhole;
    if (!t.ipv6 || !pinhole) return [];
    return [
      {
        tunnelId: t.id,
        address: t.ipv6.address ?? null,
        port: t.ipv6.port,
        state: pinhole.state,
        protocol: pinhole.protocol ?? null,
        gateway: pinhole.gateway ?? null,
        tcp: pinhole.tcp,
        udp: pinhole.udp,
        leaseEndsAt: pinhole.leaseEndsAt ?? null,
        error: pinhole.error ?? null,
      },
    ];
  });
}

function decideMappings(probe: UpnpGatewayProbe): CheckResult {
  const reason = reasonOf(probe);
  const kind = wanKind(probe);
  const params = {
    gateway: probe.location ?? "-",
    protocol: { upnp: "UPnP IGD", pcp: "PCP", "nat-pmp": "NAT-PMP" }[probe.protocol ?? "upnp"],
    name: probe.name ?? "",
    host: probe.internalClient ?? "-",
    externalIp: probe.externalIp ?? "?",
    port: String(probe.testMapping?.port ?? probe.liveMapping?.externalPort ?? "-"),
    tunnel: probe.liveMapping?.tunnelId ?? "-",
    lease: probe.liveMapping?.leaseEndsAt
      ? messages.text("lease.until", { at: probe.liveMapping.leaseEndsAt })
      : messages.text("lease.endless"),
    error: probe.testMapping?.error ?? "-",
    tried: probe.tried.join("; ") || "-",
    searchError: probe.searchError ?? "-",
  };
  const facts = {
    enabled: probe.enabled,
    found: probe.found,
    protocol: probe.protocol ?? null,
    gateway: probe.location ?? null,
    name: probe.name ?? null,
    internalClient: probe.internalClient ?? null,
    externalIp: probe.externalIp ?? null,
    externalIpKind: kind ?? "unknown",
    externalIpError: probe.externalIpError ?? null,
    /** True when the router's own WAN address is private, link-local or CGNAT: another NAT sits beyond it; null when that address is unknown. */
    secondNat: kind ? meansAnotherNat(kind) : null,
    testMapping: probe.testMapping ?? null,
    /** The tunnel mapping the verdict rests on instead of a test mapping; null when it made its own test. */
    liveMapping: probe.liveMapping ?? null,
    tried: probe.tried,
    /** The SSDP search could not be sent (the socket's error and where from); null when it went out. */
    searchError: probe.searchError ?? null,
  };
  if (!reason) {
    // A test mapping that could not be removed is in the facts; its two-minute lease ends it anyway.
    return {
      status: "PASS",
      summary: messages.text(
        `${probe.liveMapping ? "summary.pass-live" : "summary.pass"}${probe.externalIp ? "" : "-no-ip"}`,
        params,
      ),
      facts,
    };
  }
  const key = reason === "second-nat" ? `second-nat.${kind === "cgnat" ? "cgnat" : "private"}` : reason;
  return {
    status: STATUS[reason],
    summary: messages.text(`summary.${key}`, params),
    facts,
    guidance: guidance(reason, params),
  };
}

function guidance(reason: Reason, params: MessageParams): Guidance {
  return {
    title: messages.text(`guidance.${reason}.title`, params),
    steps: messages.steps(`guidance.${reason}.steps`, params),
    docs: GUIDE_LINKS.nat,
  };
}
