import type {
  CheckImplementation,
  DownloaderFactory,
  ExtensionManifest,
  Gatherer,
} from "@autostun/plugins-api";
import type { RegistrationKind } from "./registration-kind.js";

/**
 * The kinds of things a plugin registers while it runs, in one table: the manifest list that declares
 * each, what the plugin must hand over, and how the host adds it. Built-in plugins (in the daemon's process)
 * and third-party plugins (in their own) go through the same entries, so a registration is judged, and a
 * problem with it reported, the same way wherever the plugin runs.
 *
 * This module is also bundled into the plugin's process, which checks a registration against the plugin's
 * own manifest before telling the daemon: it must stay free of anything but types and plain functions.
 */
export interface ContributionKind<V> {
  name: RegistrationKind;
  /** The `contributes` key that declares this kind, e.g. `checks`. */
  point: "checks" | "gatherers" | "downloaders";
  /** The field of a declaration holding the id the plugin registers under. */
  idField: "id" | "kind";
  /** What the plugin must hand over, in words for the error when it does not. */
  expected: string;
  fits(value: unknown): value is V;
  /**
   * What happens to a registration its manifest does not declare: refused, or taken with a warning
   * (gatherers, which plugins written for plugin API 1.6 and earlier did not declare).
   */
  undeclared: "refuse" | "warn";
  /** The Disposable's work: adds `value` to `target` and returns the undo. */
  add(target: ContributionTarget, extensionId: string, id: string, value: V): () => void;
}

/** Where the host keeps what plugins registered, as the kinds' `add` sees it. */
export interface ContributionTarget {
  checks: Map<string, CheckImplementation>;
  gatherers: Map<string, Gatherer>;
  /**
   * Per `contributes` key, which extension declared an id (undefined: none did). A key missing here has
   * no feature in this daemon, so nothing of that kind can be registered.
   */
  declarations: Partial<Record<ContributionKind<unknown>["point"], (id: string) => string | undefined>>;
  /** Absent where no feature of the daemon takes downloader adapters. */
  provideDownloader?: (kind: string, extensionId: string, factory: DownloaderFactory) => () => void;
}

function hasFunction(value: unknown, name: string): boolean {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, name) === "function";
}

/** Puts `value` under `id` in `map`; the undo removes it only if nothing newer took its place. */
function keep<T>(map: Map<string, T>, id: string, value: T): () => void {
  map.set(id, value);
  return () => {
    if (map.get(id) === value) map.delete(id);
  };
}

const check: ContributionKind<CheckImplementation> = {
  name: "check",
  point: "checks",
  idField: "id",
  expected: "a run(context) function",
  fits: (value): value is CheckImplementation => hasFunction(value, "run"),
  undeclared: "refuse",
  add: (target, _extensionId, id, value) => keep(target.checks, id, value),
};

const gatherer: ContributionKind<Gatherer> = {
  name: "gatherer",
  point: "gatherers",
  idField: "id",
  expected: "a gather(context) function",
  fits: (value): value is Gatherer => hasFunction(value, "gather"),
  undeclared: "warn",
  add: (target, _extensionId, id, value) => keep(target.gatherers, id, value),
};

const downloader: ContributionKind<DownloaderFactory> = {
  name: "downloader",
  point: "downloaders",
  idField: "kind",
  expected: "a factory function (settings, context) => adapter",
  fits: (value): value is DownloaderFactory => typeof value === "function",
  undeclared: "refuse",
  add: (target, extensionId, id, value) => {
    if (!target.provideDownloader) throw new Error("this AutoSTUN takes no downloader adapters");
    return target.provideDownloader(id, extensionId, value);
  },
};

/** What a plugin hands over for each kind. */
export interface KindValues {
  check: CheckImplementation;
  gatherer: Gatherer;
  downloader: DownloaderFactory;
}

export const CONTRIBUTION_KINDS: { [K in RegistrationKind]: ContributionKind<KindValues[K]> } = {
  check,
  gatherer,
  downloader,
};

/** The parts of a kind that judge a registration without knowing its value's type. */
export type KindRules = Pick<
  ContributionKind<unknown>,
  "name" | "point" | "idField" | "expected" | "undeclared"
> & {
  fits(value: unknown): boolean;
};

/** The ids a manifest declares for one kind, e.g. every `contributes.checks[].id`. */
export function declaredIds(manifest: ExtensionManifest | undefined, kind: KindRules): string[] {
  const list = manifest?.contributes?.[kind.point] ?? [];
  const ids: string[] = [];
  for (const entry of list) {
    const id = typeof entry === "object" && entry !== null ? Reflect.get(entry, kind.idField) : undefined;
    if (typeof id === "string") ids.push(id);
  }
  return ids;
}

/**
 * Why the plugin's own code got a registration wrong, judged from its manifest and the value alone (the
 * same answer in either process): an undeclared id of a kind that must be declared, or a value that is
 * not what the kind needs. Undefined when nothing is wrong. The plugin's call throws this problem.
 */
export function misuse(
  kind: KindRules,
  extensionId: string,
  manifest: ExtensionManifest | undefined,
  id: string,
  value: unknown,
): string | undefined {
  if (kind.undeclared === "refuse" && !declaredIds(manifest, kind).includes(id))
    return `${kind.name} ${id} is not declared in contributes.${kind.point} of ${extensionId}'s manifest`;
  if (!kind.fits(value)) return `${kind.name} ${id} needs ${kind.expected}`;
  return undefined;
}
