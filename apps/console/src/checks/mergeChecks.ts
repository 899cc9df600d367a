import type { Check, CheckStatus } from "../graphql/types.js";

/**
 * The latest moment a check's record speaks for. A RUNNING event carries a new `startedAt`; a verdict
 * carries `finishedAt`. Unparseable or missing times give `undefined` ("cannot tell").
 */
function revision(check: Check): number | undefined {
  const times = [check.startedAt, check.finishedAt]
    .map((value) => (value ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  return times.length > 0 ? Math.max(...times) : undefined;
}

/**
 * True when `incoming` should replace `current`. A snapshot that is older than what we already hold
 * (a query answer overtaken by a live event) is ignored, so the list never steps back in time.
 */
export function isNewer(incoming: Check, current: Check): boolean {
  const a = revision(incoming);
  const b = revision(current);
  if (a === undefined || b === undefined) return true;
  return a >= b;
}

/**
 * Merges checks into the list by id: known ids are replaced in place when the incoming record is not
 * older, unknown ids are appended in the order given. Returns the same array when nothing changed so
 * React can skip a render.
 */
export function mergeChecks(list: readonly Check[], incoming: readonly Check[]): readonly Check[] {
  let next: Check[] | undefined;
  for (const check of incoming) {
    const current = next ?? list;
    const index = current.findIndex((existing) => existing.id === check.id);
    if (index === -1) {
      next = [...current, check];
      continue;
    }
    const existing = current[index]!;
    if (existing === check || !isNewer(check, existing)) continue;
    next = [...current];
    next[index] = check;
  }
  return next ?? list;
}

/** How many checks are in each kind of state, for the header tally. */
export interface Tally {
  pass: number;
  warn: number;
  fail: number;
  error: number;
  skip: number;
  busy: number;
}

const tallyKey: Readonly<Record<CheckStatus, keyof Tally>> = {
  PASS: "pass",
  WARN: "warn",
  FAIL: "fail",
  ERROR: "error",
  SKIP: "skip",
  RUNNING: "busy",
  PENDING: "busy",
};

/** Counts checks by state; RUNNING and PENDING both count as in progress. */
export function tallyChecks(checks: readonly Check[]): Tally {
  const tally: Tally = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0, busy: 0 };
  for (const check of checks) tally[tallyKey[check.status]] += 1;
  return tally;
}

/**
 * Applies a full list from the daemon (a query answer): its order and membership win, so checks the
 * daemon no longer has disappear, but a record we hold that is newer than the snapshot's is kept.
 */
export function applySnapshot(list: readonly Check[], snapshot: readonly Check[]): readonly Check[] {
  const held = new Map(list.map((check) => [check.id, check]));
  return snapshot.map((check) => {
    const current = held.get(check.id);
    return current && !isNewer(check, current) ? current : check;
  });
}
