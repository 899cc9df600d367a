/** A check status as the daemon reports it. */
export type CheckStatus = "PENDING" | "RUNNING" | "PASS" | "WARN" | "FAIL" | "SKIP" | "ERROR";

/** What the user should do about a result. */
export interface Guidance {
  title: string;
  steps: string[];
  docs: string | null;
}

/** A fix the daemon can apply after the user confirms it. */
export interface Remedy {
  id: string;
  title: string;
  description: string;
  commands: string[];
  requiresRoot: boolean;
}

/** One check as the console shows it; the fields the console's documents select. */
export interface Check {
  id: string;
  title: string;
  category: string;
  status: CheckStatus;
  summary: string | null;
  facts: unknown;
  guidance: Guidance | null;
  remedies: Remedy[];
  dependsOn: string[];
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** What `applyRemedy` answers. */
export interface RemedyResult {
  ok: boolean;
  message: string;
  check: Check | null;
}
