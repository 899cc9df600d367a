import type { CheckResult } from "@autostun/plugins-api";

const VERDICTS = new Set(["PASS", "WARN", "FAIL", "SKIP"]);

/** Every result is stored in each run's history and sent to every subscriber: it must stay small. */
export const MAX_RESULT_BYTES = 256 * 1024;
/** Facts are evidence for a verdict, not a data dump; the limit names them when they are the cause. */
export const MAX_FACTS_BYTES = 128 * 1024;

/**
 * Carries a problem found where the check ran (a plugin's own process measures its result before sending
 * it), so the daemon reports the real cause instead of a stand-in it could not inspect.
 */
const REPORTED_PROBLEM = Symbol.for("autostun.resultProblem");

export function reportedProblem(problem: string): object {
  return { [REPORTED_PROBLEM]: problem };
}

/** `52428800` -> `50.0 MiB`: sizes in the words users read in errors. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function isText(value: unknown): boolean {
  if (typeof value === "string") return true;
  return typeof value === "object" && value !== null && typeof (value as { en?: unknown }).en === "string";
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** Why a value a check returned is not a usable {@link CheckResult}, or undefined when it is. */
export function resultProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null)
    return `expected an object, got ${value === null ? "null" : typeof value}`;
  const reported = (value as { [REPORTED_PROBLEM]?: unknown })[REPORTED_PROBLEM];
  if (typeof reported === "string") return reported;
  const result = value as Partial<CheckResult>;
  if (!VERDICTS.has(result.status as string)) {
    return `status must be one of PASS, WARN, FAIL, SKIP (got ${JSON.stringify(result.status)})`;
  }
  if (!isText(result.summary)) return "summary must be a string or { en: string, … }";
  if (result.facts !== undefined) {
    if (typeof result.facts !== "object" || result.facts === null || Array.isArray(result.facts)) {
      return "facts must be an object";
    }
    let factsBytes: number;
    try {
      factsBytes = jsonBytes(result.facts);
    } catch (error) {
      return `facts are not JSON-serialisable: ${(error as Error).message}`;
    }
    if (factsBytes > MAX_FACTS_BYTES) {
      return `its facts are ${formatBytes(factsBytes)} of JSON, over the ${formatBytes(MAX_FACTS_BYTES)} limit; keep facts to the evidence for the verdict and log the rest`;
    }
  }
  if (result.guidance !== undefined) {
    const guidance = result.guidance;
    if (!isText(guidance.title) || !Array.isArray(guidance.steps) || !guidance.steps.every(isText)) {
      return "guidance must have a title and a list of steps";
    }
  }
  if (result.remedies !== undefined) {
    if (
      !Array.isArray(result.remedies) ||
      !result.remedies.every((r) => typeof r?.id === "string" && isText(r.title))
    ) {
      return "remedies must be a list of { id, title, description }";
    }
  }
  let bytes: number;
  try {
    bytes = jsonBytes(result);
  } catch (error) {
    return `the result is not JSON-serialisable: ${(error as Error).message}`;
  }
  if (bytes > MAX_RESULT_BYTES) {
    return `it is ${formatBytes(bytes)} of JSON, over the ${formatBytes(MAX_RESULT_BYTES)} limit; shorten its summary, guidance and facts`;
  }
  return undefined;
}
