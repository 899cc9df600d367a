import type {
  CheckContribution,
  ContributionReceiver,
  ExtensionContributions,
  ExtensionPointDescriptor,
} from "@autostun/plugins-api";
import { z } from "zod";
import type { ExtensionPointRegistry } from "../extensions/extension-points.js";
import { contributedTimeout } from "../extensions/manifest.js";
import { hostText } from "../extensions/messages.js";
import type { CheckDescriptor } from "./model.js";

const checkId = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a dotted id like "area.name"');

const checkContribution = z.object({
  id: checkId,
  title: z.string().min(1),
  category: z.string().min(1),
  dependsOn: z.array(z.string()).optional(),
  platforms: z.array(z.enum(["linux", "win32", "darwin", "freebsd", "dsm"])).optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});

/** `contributes.checks`: owned by the check engine, which is the only feature that runs checks. */
export const checksPoint: ExtensionPointDescriptor<CheckContribution> = {
  name: "checks",
  schema: checkContribution,
};

/**
 * The checks every plugin declared, as the engine will run them. A plugin that cannot run and declared
 * no check gets one made up for it, so its problem shows in the report instead of vanishing.
 */
export class CheckContributions implements ContributionReceiver<CheckContribution> {
  private readonly descriptors = new Map<string, CheckDescriptor>();

  added({ extension, items }: ExtensionContributions<CheckContribution>): string[] {
    const declared: CheckContribution[] = [...items];
    if (declared.length === 0 && extension.problem) {
      declared.push({
        id: `plugin.${extension.id.replace(/[^a-z0-9-]/gi, "-").toLowerCase()}`,
        title: "",
        category: "plugins",
      });
    }
    const conflicts: string[] = [];
    for (const check of declared) {
      const owner = this.descriptors.get(check.id);
      if (owner) {
        conflicts.push(`check ${check.id} is already provided by ${owner.extensionId}`);
        continue;
      }
      this.descriptors.set(check.id, {
        id: check.id,
        title: check.title ? extension.localize(check.title) : hostText("plugin.title", { id: extension.id }),
        category: check.category,
        dependsOn: check.dependsOn ?? [],
        ...(check.platforms ? { platforms: check.platforms } : {}),
        timeoutMs: contributedTimeout(check.timeoutMs),
        extensionId: extension.id,
      });
    }
    return conflicts;
  }

  removed(extensionId: string): void {
    for (const [id, descriptor] of this.descriptors)
      if (descriptor.extensionId === extensionId) this.descriptors.delete(id);
  }

  list(): CheckDescriptor[] {
    return [...this.descriptors.values()];
  }

  get(id: string): CheckDescriptor | undefined {
    return this.descriptors.get(id);
  }

  declaredBy(extensionId: string): string[] {
    return this.list()
      .filter((descriptor) => descriptor.extensionId === extensionId)
      .map((descriptor) => descriptor.id);
  }
}

/** Registers `contributes.checks` on the registry and returns the engine's view of the checks. */
export function registerChecksPoint(points: ExtensionPointRegistry): CheckContributions {
  const checks = new CheckContributions();
  points.register(checksPoint, checks);
  return checks;
}
