import type { LocalizedText } from "@autostun/plugins-api";
import type { CheckDescriptor } from "../contributions/model.js";
import { engineText } from "./messages.js";

export interface Plan {
  /** Checks that can run, each after its dependencies. */
  runnable: CheckDescriptor[];
  /** Checks that cannot run, with the reason: an unknown dependency or a cycle. */
  broken: Map<string, LocalizedText>;
}

/**
 * Works out what runs for a request: the asked-for checks plus everything they depend on. Unknown
 * dependencies and cycles are reported per check instead of hanging the run.
 */
export function planRun(all: readonly CheckDescriptor[], requested?: readonly string[]): Plan {
  const byId = new Map(all.map((check) => [check.id, check]));
  const broken = new Map<string, LocalizedText>();
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) if (byId.has(dependency)) visit(dependency);
  };
  for (const id of requested ?? byId.keys()) if (byId.has(id)) visit(id);

  for (const id of wanted) {
    const check = byId.get(id) as CheckDescriptor;
    const unknown = check.dependsOn.filter((dependency) => !byId.has(dependency));
    if (unknown.length > 0) broken.set(id, engineText("dependency.unknown", { ids: unknown.join(", ") }));
  }
  for (const cycle of findCycles(byId, wanted)) {
    for (const id of cycle)
      broken.set(id, engineText("dependency.cycle", { cycle: [...cycle, cycle[0]].join(" -> ") }));
  }
  // A check whose dependency cannot run cannot run either; say which one.
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of wanted) {
      if (broken.has(id)) continue;
      const blocked = byId.get(id)?.dependsOn.find((dependency) => broken.has(dependency));
      if (blocked) {
        broken.set(id, engineText("dependency.blocked", { id: blocked }));
        changed = true;
      }
    }
  }
  return {
    runnable: [...wanted].filter((id) => !broken.has(id)).map((id) => byId.get(id) as CheckDescriptor),
    broken,
  };
}

function findCycles(byId: ReadonlyMap<string, CheckDescriptor>, scope: ReadonlySet<string>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const walk = (id: string) => {
    state.set(id, "visiting");
    stack.push(id);
    for (const next of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(next)) continue;
      if (state.get(next) === "visiting") cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) walk(next);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of scope) if (!state.has(id)) walk(id);
  return cycles;
}
