import { isStepId, type StepId } from "./steps.js";

/**
 * Where the steps the user read and stepped past are remembered, so reopening the wizard later does not
 * stop again at a warning they already judged (a Docker check misled by a veth, say).
 */
export const ACCEPTED_STORAGE_KEY = "autostun.wizard.accepted";

/** Reads the remembered steps; anything unreadable or unknown is dropped rather than trusted. */
export function parseAccepted(raw: string | null): Set<StepId> {
  if (!raw) return new Set();
  try {
    const value: unknown = JSON.parse(raw);
    return new Set(Array.isArray(value) ? value.filter(isStepId) : []);
  } catch {
    return new Set();
  }
}

export function serializeAccepted(steps: ReadonlySet<StepId>): string {
  return JSON.stringify([...steps].sort());
}
