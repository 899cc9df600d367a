import {
  type ContributingExtension,
  type ContributionIssue,
  type ContributionReceiver,
  type Disposable,
  type ExtensionPointDescriptor,
  type LocalizedText,
  toDisposable,
} from "@autostun/plugins-api";
import { hostText } from "./messages.js";

/** What one plugin's `contributes` field came to, before anything is handed to a feature. */
export interface ContributionsReading {
  /** Valid entries, by point name; every registered point has a list, empty when the plugin gave none. */
  accepted: Map<string, readonly unknown[]>;
  /** The first entry that fails its point's schema, which makes the plugin incompatible. */
  problem?: LocalizedText;
  /** Keys no feature owns: the plugin may target a newer AutoSTUN, so these only warn. */
  warnings: string[];
}

interface RegisteredPoint {
  descriptor: ExtensionPointDescriptor<unknown>;
  receiver: ContributionReceiver<unknown>;
}

/** `["contributes", "checks", 0, "id"]` -> `autostun.contributes.checks[0].id`, as a user reads a JSON path. */
function manifestPath(parts: readonly PropertyKey[]): string {
  let path = "autostun";
  for (const part of parts) path += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return path;
}

function firstIssue(issues: readonly ContributionIssue[]): ContributionIssue {
  return issues[0] ?? { path: [], message: "does not match what this AutoSTUN expects" };
}

/**
 * The keys of `contributes` and the features that own them (VS Code's extension points). The manifest
 * reader and the host know no point by name: a feature registers one before plugins are read, and is
 * handed each plugin's validated entries, and told when that plugin goes away.
 */
export class ExtensionPointRegistry {
  private readonly points = new Map<string, RegisteredPoint>();
  private readonly delivered = new Set<string>();
  private reading = false;

  /**
   * Declares `contributes.<name>`. Points must exist before the first manifest is read: a plugin read
   * earlier would otherwise have its entries ignored, or be refused only after it had started.
   */
  register<T>(descriptor: ExtensionPointDescriptor<T>, receiver: ContributionReceiver<T>): Disposable {
    if (this.reading)
      throw new Error(
        `extension point ${descriptor.name} was registered after plugins were read; register it before the host discovers extensions`,
      );
    if (this.points.has(descriptor.name))
      throw new Error(`extension point ${descriptor.name} is already registered`);
    const point = { descriptor, receiver } as RegisteredPoint;
    this.points.set(descriptor.name, point);
    return toDisposable(() => {
      if (this.points.get(descriptor.name) === point) this.points.delete(descriptor.name);
    });
  }

  /** Validates a plugin's `contributes` object against every registered point. */
  read(contributes: unknown, extensionId: string, packageJsonPath: string): ContributionsReading {
    this.reading = true;
    const reading: ContributionsReading = { accepted: new Map(), warnings: [] };
    const given = (contributes ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(given)) {
      if (!this.points.has(name))
        reading.warnings.push(
          `plugin ${extensionId} contributes "${name}" (${packageJsonPath}), which no feature of this AutoSTUN accepts; that part of the plugin is ignored`,
        );
    }
    for (const [name, { descriptor }] of this.points) {
      const raw = given[name];
      if (raw === undefined) {
        reading.accepted.set(name, []);
        continue;
      }
      if (!Array.isArray(raw)) {
        reading.problem ??= hostText("manifest.invalid", {
          path: packageJsonPath,
          where: manifestPath(["contributes", name]),
          reason: hostText("manifest.not-a-list"),
        });
        continue;
      }
      const items: unknown[] = [];
      for (const [index, entry] of raw.entries()) {
        const parsed = descriptor.schema.safeParse(entry);
        if (parsed.success) {
          items.push(parsed.data);
          continue;
        }
        const issue = firstIssue(parsed.error.issues);
        reading.problem ??= hostText("manifest.invalid", {
          path: packageJsonPath,
          where: manifestPath(["contributes", name, index, ...issue.path]),
          // Schemas explain in English only: Chinese readers get the location and a plain statement.
          reason: { en: issue.message, "zh-CN": "取值不符合要求" },
        });
      }
      reading.accepted.set(name, items);
    }
    return reading;
  }

  /**
   * Hands a plugin's entries to every point's feature (an empty list too, so a feature sees every plugin)
   * and returns the conflicts the features found.
   */
  deliver(extension: ContributingExtension, accepted: ReadonlyMap<string, readonly unknown[]>): string[] {
    this.delivered.add(extension.id);
    const conflicts: string[] = [];
    for (const [name, { receiver }] of this.points)
      conflicts.push(...(receiver.added({ extension, items: accepted.get(name) ?? [] }) ?? []));
    return conflicts;
  }

  /** Takes back everything a plugin contributed, newest point first. */
  withdraw(extensionId: string): void {
    if (!this.delivered.delete(extensionId)) return;
    for (const { receiver } of [...this.points.values()].reverse()) receiver.removed(extensionId);
  }
}
