/**
 * Every state a check can be in, as the GraphQL API and the CLI show it.
 *
 * - `PENDING`: known, not yet run in this diagnosis.
 * - `RUNNING`: running now.
 * - `PASS` / `WARN` / `FAIL`: the verdict on the network or host.
 * - `SKIP`: not applicable here (another platform, a dependency did not pass).
 * - `ERROR`: the check itself broke (threw, timed out, could not load). Never means "the network is wrong".
 */
export const CHECK_STATUSES = ["PENDING", "RUNNING", "PASS", "WARN", "FAIL", "SKIP", "ERROR"] as const;

/** One of {@link CHECK_STATUSES}. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** The statuses a check implementation may return itself; the host assigns the rest. */
export type VerdictStatus = Extract<CheckStatus, "PASS" | "WARN" | "FAIL" | "SKIP">;

/** True for statuses that make `autostun doctor` exit 1. */
export function isProblemStatus(status: CheckStatus): boolean {
  return status === "FAIL" || status === "ERROR";
}
