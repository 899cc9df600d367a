import type { CheckResult, Guidance } from "@autostun/plugins-api";
import type { NatDiscoveryResult } from "@autostun/stun";
import { fillLocalized } from "../text/localized-params.js";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { messages } from "./messages.js";
import { serverVantage } from "./server-vantage.js";
import { insideVantageVerdict } from "./vantage-verdict.js";

const guidance = (key: string): Guidance => ({
  title: messages.text(`${key}.title`),
  steps: messages.steps(`${key}.steps`),
  docs: GUIDE_LINKS.nat,
});

const behaviourWords = (behaviour: string) => behaviour.toLowerCase().replaceAll("_", "-");

/**
 * Judges a discovery for BitTorrent: peers connect over TCP, so UDP NAT1 only passes when TCP mappings
 * are endpoint-independent too. The raw behaviours are kept as facts either way.
 */
export function natVerdict(discovery: NatDiscoveryResult): CheckResult {
  const facts = { ...discovery };
  const answered = discovery.servers.some((server) => server.ok);
  if (!answered) {
    return {
      status: "FAIL",
      summary: messages.text("nat.summary.NO_SERVERS"),
      facts,
      guidance: guidance("nat.unknown"),
    };
  }
  const vantage = serverVantage(discovery);
  if (vantage && vantage.kind !== "internet") return insideVantageVerdict(vantage, facts);
  if (vantage) Object.assign(facts, { serverVantage: vantage.kind });
  const tcpMapping = behaviourWords(discovery.tcp.mapping);
  switch (discovery.natType) {
    case "NAT1":
      if (discovery.tcp.mapping === "ENDPOINT_INDEPENDENT") {
        return { status: "PASS", summary: messages.text("nat.summary.NAT1"), facts };
      }
      if (discovery.tcp.mapping === "UNKNOWN") {
        return {
          status: "WARN",
          summary: messages.text("nat.summary.NAT1_TCP_UNKNOWN"),
          facts,
          guidance: guidance("nat.unknown"),
        };
      }
      return {
        status: "FAIL",
        summary: messages.text("nat.summary.NAT1_TCP_BAD", { tcpMapping }),
        facts,
        guidance: guidance("nat.tcp"),
      };
    case "NAT2":
    case "NAT3":
      return {
        status: "FAIL",
        summary: messages.text(`nat.summary.${discovery.natType}`),
        facts,
        guidance: guidance("nat.fix"),
      };
    case "NAT4":
      return {
        status: "FAIL",
        summary: messages.text("nat.summary.NAT4"),
        facts,
        guidance: guidance("nat.symmetric"),
      };
    case "OPEN":
      return {
        status: "WARN",
        summary: discovery.publicIp
          ? messages.text("nat.summary.OPEN", { publicIp: discovery.publicIp })
          : messages.text("nat.summary.OPEN.no-ip"),
        facts,
        guidance: guidance("nat.open"),
      };
    case "UDP_BLOCKED":
      return {
        status: "FAIL",
        summary: messages.text("nat.summary.UDP_BLOCKED", { tcpMapping }),
        facts,
        guidance: guidance("nat.udp-blocked"),
      };
    default: {
      const undecided = discovery.udp.undecided;
      const counts = {
        sent: String(discovery.udp.probes.sent),
        answered: String(discovery.udp.probes.answered),
      };
      const reason = undecided
        ? messages.text(`nat.reason.${undecided}`, counts)
        : discovery.udp.mapping === "ENDPOINT_INDEPENDENT" && discovery.udp.filtering === "UNKNOWN"
          ? messages.text("nat.reason.no-behaviour")
          : messages.text("nat.reason.mapping-unknown");
      const lossy = undecided !== undefined && undecided !== "servers-disagree";
      return {
        status: "WARN",
        summary: fillLocalized(messages.text("nat.summary.UNKNOWN"), { reason }),
        facts,
        guidance: guidance(lossy ? "nat.lossy" : "nat.unknown"),
      };
    }
  }
}
