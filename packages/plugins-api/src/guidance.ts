import type { LocalizedText } from "./localized.js";

/** What the user should do about a result: a title and concrete, ordered steps. */
export interface Guidance {
  title: LocalizedText;
  /** Each step is one action: a command to run or a setting to change, never general advice. */
  steps: LocalizedText[];
  /** A link to further reading. */
  docs?: string;
}

/**
 * A fix the host can apply for the user after they confirm it (Home Assistant "repairs" style).
 * The description is shown before applying; the check's `applyRemedy` does the work.
 */
export interface Remedy {
  /** Stable within the check, e.g. `"allow-port"`. */
  id: string;
  title: LocalizedText;
  /** What applying it changes, and the risk the user accepts. */
  description: LocalizedText;
  /** Commands equivalent to applying it, for users who prefer to do it by hand. */
  commands?: string[];
  /** True when applying needs administrator rights; the host refuses with a clear message otherwise. */
  requiresRoot?: boolean;
}

/** What happened when a remedy was applied or reverted. */
export interface RemedyOutcome {
  ok: boolean;
  message: LocalizedText;
}
