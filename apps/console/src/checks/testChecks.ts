import type { Check } from "../graphql/types.js";

/** A check record with sensible empty fields, for tests; override what the test is about. */
export function makeCheck(overrides: Partial<Check> & Pick<Check, "id">): Check {
  return {
    title: overrides.id,
    category: "network",
    status: "PENDING",
    summary: null,
    facts: null,
    guidance: null,
    remedies: [],
    dependsOn: [],
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    ...overrides,
  };
}
