import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { DEFAULT_CHECK_TIMEOUT_MS, type ExtensionManifest } from "@autostun/plugins-api";
import semver from "semver";
import { z } from "zod";
import { loadManifestLocalizer, type ManifestLocalizer } from "./nls.js";

const checkId = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a dotted id like "area.name"');

const manifestSchema = z.object({
  displayName: z.string().optional(),
  engines: z.object({ autostun: z.string().min(1) }),
  activationEvents: z
    .array(z.union([z.literal("*"), z.literal("onStartup"), z.string().regex(/^onCheck:.+/)]))
    .optional(),
  contributes: z
    .object({
      checks: z
        .array(
          z.object({
            id: checkId,
            title: z.string().min(1),
            category: z.string().min(1),
            dependsOn: z.array(z.string()).optional(),
            platforms: z.array(z.enum(["linux", "win32", "darwin", "freebsd", "dsm"])).optional(),
            timeoutMs: z.number().int().positive().max(600_000).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
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
  problem?: string;
  /** Resolves `%key%` strings of the manifest from the plugin's package.nls files. */
  localize: ManifestLocalizer;
  /** Problems that do not stop the extension, such as an unreadable translation file. */
  warnings?: string[];
}

/** Reads `<dir>/package.json` and its `autostun` manifest without running any plugin code. */
export function readExtension(dir: string, builtin: boolean, apiVersion: string): DiscoveredExtension {
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
    return base(fallbackId, "0.0.0", dir, builtin, `cannot read ${pkgPath}: ${(error as Error).message}`);
  }
  const id = typeof pkg.name === "string" && pkg.name ? pkg.name : fallbackId;
  const version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  if (pkg.autostun === undefined)
    return base(id, version, dir, builtin, `${pkgPath} has no "autostun" manifest field`);
  // engines.autostun may sit in the manifest or, npm-style, in the package's own engines.
  const raw = { ...(pkg.autostun as object) } as { engines?: unknown };
  if (raw.engines === undefined && pkg.engines?.autostun !== undefined)
    raw.engines = { autostun: pkg.engines.autostun };
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `autostun.${issue.path.join(".")}` : "autostun";
    return base(id, version, dir, builtin, `invalid manifest in ${pkgPath} at ${where}: ${issue?.message}`);
  }
  const manifest = parsed.data as ExtensionManifest;
  const nls = loadManifestLocalizer(dir);
  const extension: DiscoveredExtension = {
    ...base(id, version, dir, builtin),
    displayName: manifest.displayName ?? id,
    manifest,
    localize: nls.localize,
    // A broken translation file costs only the translation, never the plugin.
    ...(nls.problems.length > 0 ? { warnings: nls.problems } : {}),
  };
  const range = manifest.engines.autostun;
  if (!semver.validRange(range)) {
    extension.problem = `plugin ${id} declares engines.autostun "${range}", which is not a semver range`;
    return extension;
  }
  if (!semver.satisfies(apiVersion, range)) {
    extension.problem = `plugin ${id} requires AutoSTUN plugin API ${range}, but this AutoSTUN provides ${apiVersion}; install a version of the plugin made for ${apiVersion}`;
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
function locateMain(id: string, dir: string, main: string): { path: string } | { problem: string } {
  const outside = (where: string) => ({
    problem: `plugin ${id}: its main "${main}" points to ${where}, outside the plugin's folder ${dir}; a plugin may only run code from its own folder, so set "main" to a file inside it (or ask the plugin's author for a fixed version)`,
  });
  if (isAbsolute(main)) return outside(main);
  let folder: string;
  try {
    folder = realpathSync(dir);
  } catch (error) {
    return { problem: `plugin ${id}: cannot resolve its folder ${dir}: ${(error as Error).message}` };
  }
  const literal = resolve(folder, main);
  if (!isInside(folder, literal)) return outside(literal);
  if (!existsSync(literal))
    return { problem: `plugin ${id}: its main module ${resolve(dir, main)} does not exist (was it built?)` };
  const real = realpathSync(literal);
  if (!isInside(folder, real)) return outside(`${real} (through a symbolic link)`);
  return { path: real };
}

function base(
  id: string,
  version: string,
  dir: string,
  builtin: boolean,
  problem?: string,
): DiscoveredExtension {
  return { id, version, displayName: id, dir, builtin, localize: plain, ...(problem ? { problem } : {}) };
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
