/**
 * Extension points, VS Code style: a feature of AutoSTUN owns one key of a manifest's `contributes`,
 * declares what one entry must look like, and is handed every plugin's validated entries. The types
 * here keep the plugin API free of any schema library: a zod schema (or anything with the same
 * `safeParse` shape) fits {@link ContributionSchema} as it is.
 */

import type { LocalizedText } from "./localized.js";

/** Where in one contribution a schema found a problem, and what it is. */
export interface ContributionIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Checks one entry of `contributes.<name>`; zod schemas have exactly this shape. */
export interface ContributionSchema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly ContributionIssue[] } };
}

/** A key of `contributes` that a feature owns. */
export interface ExtensionPointDescriptor<T> {
  /** The key under `contributes`, e.g. `checks` or `downloaders`. */
  name: string;
  /** One entry of the list; a plugin with an entry that does not fit is refused as incompatible. */
  schema: ContributionSchema<T>;
}

/** The plugin a batch of contributions came from, as far as the host knows it before running any code. */
export interface ContributingExtension {
  id: string;
  displayName: string;
  /** The plugin's folder. */
  path: string;
  builtin: boolean;
  /** Resolves a `%key%` string of the manifest from the plugin's package.nls files. */
  localize(value: string): LocalizedText;
  /** Why the plugin cannot run (its entries still arrive, so the feature can show it as broken). */
  problem?: string;
}

/** Every validated entry one plugin made to one point. */
export interface ExtensionContributions<T> {
  extension: ContributingExtension;
  items: readonly T[];
}

/** The feature's side of a point: told when a plugin's entries arrive and when the plugin goes away. */
export interface ContributionReceiver<T> {
  /**
   * Returns conflicts the feature found (an id another plugin already took); they are reported on the
   * plugin without stopping it.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a feature with nothing to report writes added() as returning void
  added(contributions: ExtensionContributions<T>): void | readonly string[];
  removed(extensionId: string): void;
}
