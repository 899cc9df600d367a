import type { CheckResult, Facts } from "@autostun/plugins-api";
import { fillLocalized } from "../text/localized-params.js";
import { GUIDE_LINKS } from "../user-guide/links.js";
import { addressKindWords } from "./address-words.js";
import { messages } from "./messages.js";
import type { ServerVantage } from "./server-vantage.js";

/**
 * The one answer both nat.type and network.public-ip give when the STUN servers are not on the
 * internet, so the two can never read the same discovery differently.
 */
export function insideVantageVerdict(
  vantage: Exclude<ServerVantage, { kind: "internet" }>,
  facts: Facts,
): CheckResult {
  const summary =
    vantage.kind === "this-host"
      ? messages.text("vantage.summary.this-host", { seen: vantage.seen })
      : fillLocalized(messages.text("vantage.summary.private-network", { seen: vantage.seen }), {
          kind: addressKindWords(vantage.addressKind),
        });
  return {
    status: "WARN",
    summary,
    facts: { ...facts, serverVantage: vantage.kind },
    guidance: {
      title: messages.text("vantage.title"),
      steps: messages.steps("vantage.steps"),
      docs: GUIDE_LINKS.nat,
    },
  };
}
