import type { CheckStatus } from "../graphql/types.js";
import type { MessageKey } from "../i18n/en.js";

/** How a status looks: a glyph (or a spinner), a colour tone and a label. */
export interface StatusAppearance {
  /** The character shown in the mark; empty when a spinner stands in for it. */
  glyph: string;
  /** CSS modifier naming the colour family. */
  tone: "pass" | "warn" | "fail" | "error" | "skip" | "busy";
  /** Whether the check is still going: draws a spinner instead of a glyph. */
  busy: boolean;
  label: MessageKey;
  /** Whether the user must see the guidance without clicking: something needs their attention. */
  needsAttention: boolean;
}

// ERROR means the check itself broke (threw or timed out), not that the network is wrong, so it has
// its own glyph and colour and must never be mistaken for FAIL.
const appearances: Readonly<Record<CheckStatus, StatusAppearance>> = {
  PASS: { glyph: "✓", tone: "pass", busy: false, label: "status.PASS", needsAttention: false },
  WARN: { glyph: "!", tone: "warn", busy: false, label: "status.WARN", needsAttention: true },
  FAIL: { glyph: "✗", tone: "fail", busy: false, label: "status.FAIL", needsAttention: true },
  ERROR: { glyph: "⚠", tone: "error", busy: false, label: "status.ERROR", needsAttention: true },
  SKIP: { glyph: "—", tone: "skip", busy: false, label: "status.SKIP", needsAttention: false },
  RUNNING: { glyph: "", tone: "busy", busy: true, label: "status.RUNNING", needsAttention: false },
  PENDING: { glyph: "", tone: "busy", busy: true, label: "status.PENDING", needsAttention: false },
};

/**
 * The appearance of a status. An unknown value (a newer daemon) is shown as a broken check rather
 * than hidden, since the console cannot vouch for it.
 */
export function statusAppearance(status: string): StatusAppearance {
  return appearances[status as CheckStatus] ?? appearances.ERROR;
}
