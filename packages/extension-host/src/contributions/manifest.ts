import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { DEFAULT_CHECK_TIMEOUT_MS, type ExtensionManifest, type LocalizedText } from "@autostun/plugins-api";
import semver from "semver";
import { z } from "zod";
import type { ExtensionPointRegistry } from "./extension-points.js";
import { hostText } from "./messages.js";
import { loadManifestLocalizer, type ManifestLocalizer } from "./nls.js";

const manifestSchema = z.object({
  displayName: z.string().optional(),
  engines: z.object({ autostun: z.string().min(1) }),
  activationEvents: z
    .array(
      z.union([
        z.literal("*"),
        z.literal("onStartup"),
        z
          .string()
          .regex(/^on(Check|Gatherer):.+/, 'one of "*", "onStartup", "onCheck:<id>", "onGatherer:<id>"'),
      ]),
    )
    .optional(),
  // Each key belongs to the feature that registered it; the registry checks the entries.
  contributes: z.record(z.string(), z.unknown()).optional(),
  main: z.string().optional(),
});

/** An extension found on disk, before any of its code ran. */
export interface DiscoveredExtension {
  id: string;
  version: string;
  displayName: string;
  dir: string;
  builtin: boolean;
  /** Present when the manifest could be read; checks are declared even when the extension is unusable. */
  manifest?: ExtensionManifest;
  mainPath?: string;
  /** Why the extension cannot be activated: unreadable manifest, incompatible engine, missing main. */
  problem?: LocalizedText;
  /** Valid `contributes` entries by extension point, to be handed to the features that own them. */
  contributions: ReadonlyMap<string, readonly unknown[]>;
  /** Resolves `%key%` strings of the manifest from the plugin's package.nls files. */
  localize: ManifestLocalizer;
  /** Problems that do not stop the extension, such as an unreadable translation file. */
  warnings?: string[];
}

/**
 * Reads `<dir>/package.json` and its `autostun` manifest without running any plugin code; `contributes`
 * is checked against the extension points registered so far.
 */
export function readExtension(
  dir: string,
  builtin: boolean,
  apiVersion: string,
  points: ExtensionPointRegistry,
): DiscoveredExtension {
  const pkgPath = join(dir, "package.json");
  const fallbackId = dir.split(/[\\/]/).pop() ?? dir;
  let pkg: {
    name?: unknown;
    version?: unknown;
    main?: unknown;
    autostun?: unknown;
    engines?: { autostun?: unknown };
  };
  try {
    pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  } catch (error) {
    return base(
      fallbackId,
      "0.0.0",
      dir,
      builtin,
      hostText("manifest.unreadable", {
        path: pkgPath,
        reason: (error as Error).message,
      }),
    );
  }
  const id = typeof pkg.name === "string" && pkg.name ? pkg.name : fallbackId;
  const warnings: string[] = [];
  const version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  if (pkg.autostun === undefined)
    return base(id, version, dir, builtin, hostText("manifest.missing", { path: pkgPath }));
  // engines.autostun may sit in the manifest or, npm-style, in the package's own engines.
  const raw = { ...(pkg.autostun as object) } as { engines?: unknown };
  if (raw.engines === undefined && pkg.engines?.autostun !== undefined)
    raw.engines = { autostun: pkg.engines.autostun };
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `autostun.${issue.path.join(".")}` : "autostun";
    // zod explains in English only: Chinese readers get the location and a plain statement instead.
    const reason = { en: String(issue?.message), "zh-CN": "取值不符合要求" };
    return base(id, version, dir, builtin, hostText("manifest.invalid", { path: pkgPath, where, reason }));
  }
  const manifest = parsed.data as ExtensionManifest;
  const reading = points.read(manifest.contributes, id, pkgPath);
  for (const warning of reading.warnings) warnings.push(warning);
  if (reading.problem) return { ...base(id, version, dir, builtin, reading.problem), warnings };
  const nls = loadManifestLocalizer(dir);
  // A broken translation file costs only the translation, never the plugin.
  warnings.push(...nls.problems);
  const extension: DiscoveredExtension = {
    ...base(id, version, dir, builtin),
    displayName: manifest.displayName ?? id,
    manifest,
    contributions: reading.accepted,
    localize: nls.localize,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  const range = manifest.engines.autostun;
  if (!semver.validRange(range)) {
    extension.problem = hostText("engines.not-semver", { id, range });
    return extension;
  }
  if (!semver.satisfies(apiVersion, range)) {
    extension.problem = hostText("engines.incompatible", { id, range, version: apiVersion });
    return extension;
  }
  const main = manifest.main ?? (typeof pkg.main === "string" ? pkg.main : "index.js");
  const located = locateMain(id, dir, main);
  if ("problem" in located) extension.problem = located.problem;
  else extension.mainPath = located.path;
  return extension;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The plugin's main module, as a real path inside the plugin's own folder. A `main` that leaves the folder,
 * literally (`../../x.js`, an absolute path) or through a symlink, would run code the user never installed
 * as this plugin: it is refused before anything is imported.
 */
function locateMain(id: string, dir: string, main: string): { path: string } | { problem: LocalizedText } {
  const outside = (where: LocalizedText) => ({
    problem: hostText("main.outside", { id, main, where, dir }),
  });
  if (isAbsolute(main)) return outside(main);
  let folder: string;
  try {
    folder = realpathSync(dir);
  } catch (error) {
    return { problem: hostText("main.folder", { id, dir, reason: (error as Error).message }) };
  }
  const literal = resolve(folder, main);
  if (!isInside(folder, literal)) return outside(literal);
  if (!existsSync(literal)) return { problem: hostText("main.missing", { id, path: resolve(dir, main) }) };
  const real = realpathSync(literal);
  if (!isInside(folder, real)) return outside(hostText("main.through-link", { path: real }));
  return { path: real };
}

function base(
  id: string,
  version: string,
  dir: string,
  builtin: boolean,
  problem?: LocalizedText,
): DiscoveredExtension {
  return {
    id,
    version,
    displayName: id,
    dir,
    builtin,
    contributions: new Map(),
    localize: plain,
    ...(problem ? { problem } : {}),
  };
}

const plain: ManifestLocalizer = (value) => value;

/** Every sub-folder of `root` holding a package.json, in name order. A missing root is no error. */
export function listExtensionDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "package.json")))
    .map((entry) => join(root, entry.name))
    .sort();
}

export function contributedTimeout(timeoutMs: number | undefined): number {
  return timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
}
