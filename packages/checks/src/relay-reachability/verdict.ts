import type { CheckOutcome, CheckResult, Guidance, TunnelActivityEntry } from "@autostun/plugins-api";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";

export interface ReachabilityInput {
  tunnels: readonly TunnelActivityEntry[];
  /** Outcomes of the checks this one depends on; undefined when they did not run in this diagnosis. */
  firewall: CheckOutcome | undefined;
  nat: CheckOutcome | undefined;
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

export function decideReachability(input: ReachabilityInput): CheckResult {
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
