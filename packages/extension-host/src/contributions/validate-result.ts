import type { CheckResult, LocalizedText } from "@autostun/plugins-api";
import { resultText } from "./result-messages.js";

const VERDICTS = new Set(["PASS", "WARN", "FAIL", "SKIP"]);

/** Every result is stored in each run's history and sent to every subscriber: it must stay small. */
export const MAX_RESULT_BYTES = 256 * 1024;
/** Facts are evidence for a verdict, not a data dump; the limit names them when they are the cause. */
export const MAX_FACTS_BYTES = 128 * 1024;

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
export function resultProblem(value: unknown): LocalizedText | undefined {
  if (typeof value !== "object" || value === null)
    return resultText("not-object", { type: value === null ? "null" : typeof value });
  const result = value as Partial<CheckResult>;
  if (!VERDICTS.has(result.status as string)) {
    return resultText("status", { got: String(JSON.stringify(result.status)) });
  }
  if (!isText(result.summary)) return resultText("summary");
  if (result.facts !== undefined) {
    if (typeof result.facts !== "object" || result.facts === null || Array.isArray(result.facts)) {
      return resultText("facts.shape");
    }
    let factsBytes: number;
    try {
      factsBytes = jsonBytes(result.facts);
    } catch (error) {
      return resultText("facts.json", { reason: (error as Error).message });
    }
    if (factsBytes > MAX_FACTS_BYTES) {
      return resultText("facts.size", { size: formatBytes(factsBytes), limit: formatBytes(MAX_FACTS_BYTES) });
    }
  }
  if (result.guidance !== undefined) {
    const guidance = result.guidance;
    if (!isText(guidance.title) || !Array.isArray(guidance.steps) || !guidance.steps.every(isText)) {
      return resultText("guidance");
    }
  }
  if (result.remedies !== undefined) {
    if (
      !Array.isArray(result.remedies) ||
      !result.remedies.every((r) => typeof r?.id === "string" && isText(r.title))
    ) {
      return resultText("remedies");
    }
  }
  let bytes: number;
  try {
    bytes = jsonBytes(result);
  } catch (error) {
    return resultText("json", { reason: (error as Error).message });
  }
  if (bytes > MAX_RESULT_BYTES) {
    return resultText("size", { size: formatBytes(bytes), limit: formatBytes(MAX_RESULT_BYTES) });
  }
  return undefined;
}

/** True when `value` is a usable {@link CheckResult}; {@link resultProblem} says why it is not. */
export function isCheckResult(value: unknown): value is CheckResult {
  return resultProblem(value) === undefined;
}
