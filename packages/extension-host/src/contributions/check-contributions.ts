import type {
  CheckContribution,
  ContributionReceiver,
  ExtensionContributions,
  ExtensionPointDescriptor,
  GathererContribution,
} from "@autostun/plugins-api";
import { z } from "zod";
import type { ExtensionPointRegistry } from "./extension-points.js";
import { contributedTimeout } from "./manifest.js";
import { hostText } from "./messages.js";
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

/** `contributes.gatherers`: shared facts a check asks for with `context.gather(id)`, ids dotted like checks. */
export const gatherersPoint: ExtensionPointDescriptor<GathererContribution> = {
  name: "gatherers",
  schema: z.object({ id: checkId }),
};

/**
 * Which plugin declared which gatherer, so a diagnosis starts that plugin (`onGatherer:<id>`) only when a
 * check asks for the gatherer. The first plugin to declare an id keeps it (built-ins are read first).
 */
export class GathererContributions implements ContributionReceiver<GathererContribution> {
  private readonly owners = new Map<string, string>();

  added({ extension, items }: ExtensionContributions<GathererContribution>): string[] {
    const conflicts: string[] = [];
    for (const { id } of items) {
      const owner = this.owners.get(id);
      if (owner) conflicts.push(`gatherer ${id} is already provided by ${owner}`);
      else this.owners.set(id, extension.id);
    }
    return conflicts;
  }

  removed(extensionId: string): void {
    for (const [id, owner] of this.owners) if (owner === extensionId) this.owners.delete(id);
  }

  /** The extension that declared gatherer `id`, if any did. */
  owner(id: string): string | undefined {
    return this.owners.get(id);
  }

  declaredBy(extensionId: string): string[] {
    return [...this.owners].filter(([, owner]) => owner === extensionId).map(([id]) => id);
  }
}

/**
 * The checks every plugin declared, as the engine will run them. A plugin that cannot run and declared
 * no check gets one made up for it, so its problem shows in the report instead of vanishing.
 */
export class CheckContributions implements ContributionReceiver<CheckContribution> {
  private readonly descriptors = new Map<string, CheckDescriptor>();
  /** The gatherers the checks may ask for, declared under their own point. */
  readonly gatherers = new GathererContributions();

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

/**
 * Registers `contributes.checks` and `contributes.gatherers` on the registry and returns the engine's view
 * of the checks and of the gatherers they use.
 */
export function registerChecksPoint(points: ExtensionPointRegistry): CheckContributions {
  const checks = new CheckContributions();
  points.register(checksPoint, checks);
  points.register(gatherersPoint, checks.gatherers);
  return checks;
}
