import type { CheckResult } from "@autostun/plugins-api";

const VERDICTS = new Set(["PASS", "WARN", "FAIL", "SKIP"]);

function isText(value: unknown): boolean {
  if (typeof value === "string") return true;
  return typeof value === "object" && value !== null && typeof (value as { en?: unknown }).en === "string";
}

/** Why a value a check returned is not a usable {@link CheckResult}, or undefined when it is. */
export function resultProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null)
    return `expected an object, got ${value === null ? "null" : typeof value}`;
  const result = value as Partial<CheckResult>;
  if (!VERDICTS.has(result.status as string)) {
    return `status must be one of PASS, WARN, FAIL, SKIP (got ${JSON.stringify(result.status)})`;
  }
  if (!isText(result.summary)) return "summary must be a string or { en: string, … }";
  if (result.facts !== undefined) {
    if (typeof result.facts !== "object" || result.facts === null || Array.isArray(result.facts)) {
      return "facts must be an object";
    }
    try {
      JSON.stringify(result.facts);
    } catch (error) {
      return `facts are not JSON-serialisable: ${(error as Error).message}`;
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
  return undefined;
}
