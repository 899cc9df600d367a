// `npm run build -w @autostun/server`: bundles the daemon into apps/server/dist as plain JavaScript (ESM,
// Node 20) with source maps, so production starts without a TypeScript loader. What goes where is listed
// in build-layout.ts. The build is written to a fresh folder and swapped in at the end, so a failed build
// leaves the previous dist as it was.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import {
  BUILTIN_EXTENSION_ROOTS,
  ENTRIES,
  EXTENSION_FILES,
  EXTERNAL,
  FILES,
  RELOCATIONS,
} from "./build-layout.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const DIST = fileURLToPath(new URL("../dist", import.meta.url));
/** In dist: when the build started and every file it read, for `ensureBuilt`. */
const INPUTS = "build-inputs.json";

/** Thrown for a layout that no longer matches the sources: says which line of build-layout.ts to fix. */
class LayoutError extends Error {}

/** Built-in extension folders: `dist`-relative entry name -> source file, plus the manifests to write. */
function builtinExtensions() {
  const entries: Record<string, string> = {};
  const copies: { from: string; to: string; manifest: boolean }[] = [];
  for (const root of BUILTIN_EXTENSION_ROOTS) {
    const dir = join(REPO, root.source);
    if (!existsSync(dir))
      throw new LayoutError(
        `build-layout.ts: BUILTIN_EXTENSION_ROOTS names ${root.source}, which does not exist`,
      );
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const manifest = join(dir, entry.name, "package.json");
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { main?: string };
      if (typeof pkg.main !== "string") throw new LayoutError(`${relative(REPO, manifest)} has no "main"`);
      entries[`${root.out}/${entry.name}/index`] = join(dir, entry.name, pkg.main);
      copies.push({ from: manifest, to: `${root.out}/${entry.name}/package.json`, manifest: true });
      for (const file of readdirSync(join(dir, entry.name)))
        if (EXTENSION_FILES.test(file))
          copies.push({
            from: join(dir, entry.name, file),
            to: `${root.out}/${entry.name}/${file}`,
            manifest: false,
          });
    }
  }
  return { entries, copies };
}

/** Rewrites the lines of RELOCATIONS while bundling; each must be found exactly once and used. */
function relocations(used: Set<number>): Plugin {
  const byFile = new Map<string, number[]>();
  RELOCATIONS.forEach((relocation, index) => {
    const file = join(REPO, relocation.file);
    byFile.set(file, [...(byFile.get(file) ?? []), index]);
  });
  return {
    name: "autostun-relocations",
    setup(bundle) {
      bundle.onLoad({ filter: /\.ts$/ }, (args) => {
        const indexes = byFile.get(args.path);
        if (!indexes) return undefined;
        let text = readFileSync(args.path, "utf8");
        for (const index of indexes) {
          const { file, from, to } = RELOCATIONS[index]!;
          const count = text.split(from).length - 1;
          if (count !== 1)
            return {
              errors: [
                {
                  text: `build-layout.ts: RELOCATIONS expects ${JSON.stringify(from)} once in ${file}, found it ${count} times`,
                },
              ],
            };
          text = text.replace(from, to);
          used.add(index);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

export interface BuildResult {
  dist: string;
  files: number;
  bytes: number;
}

/** Builds into `dist` (default apps/server/dist); a failed build leaves the previous one in place. */
export async function buildDaemon(dist = DIST): Promise<BuildResult> {
  const staging = `${dist}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const bytes = await buildInto(staging);
    const old = `${dist}.old-${process.pid}`;
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(staging, dist);
    rmSync(old, { recursive: true, force: true });
    return { dist, ...bytes };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildInto(staging: string): Promise<{ files: number; bytes: number }> {
  const startedAt = Date.now();
  const extensions = builtinExtensions();
  const entryPoints: Record<string, string> = { ...extensions.entries };
  for (const entry of ENTRIES) {
    const source = join(REPO, entry.source);
    if (!existsSync(source))
      throw new LayoutError(`build-layout.ts: ENTRIES names ${entry.source}, which does not exist`);
    entryPoints[entry.out] = source;
  }
  const used = new Set<number>();
  const result = await build({
    absWorkingDir: REPO,
    entryPoints,
    outdir: staging,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    // Shared chunks sit in dist itself, where RELOCATIONS expects the code that uses import.meta.url.
    chunkNames: "chunk-[hash]",
    external: [...EXTERNAL],
    // CommonJS dependencies call require() for Node's own modules; an ES module has no require of its own.
    banner: {
      js: 'import { createRequire as __autostunRequire } from "node:module"; const require = __autostunRequire(import.meta.url);',
    },
    // Stack traces name the TypeScript file and line (bin/autostun.mjs turns source maps on). The map
    // points at the sources in the tree instead of carrying them: smaller dist, less to load.
    sourcemap: "linked",
    sourcesContent: false,
    // tsyringe's @inject decorators: the sources use the experimental (TypeScript 4) form.
    tsconfig: join(REPO, "apps/server/tsconfig.json"),
    plugins: [relocations(used)],
    metafile: true,
    logLevel: "warning",
  });
  RELOCATIONS.forEach((relocation, index) => {
    if (!used.has(index))
      throw new LayoutError(
        `build-layout.ts: RELOCATIONS names ${relocation.file}, which no entry imports any more`,
      );
  });
  for (const copy of extensions.copies) {
    const to = join(staging, copy.to);
    mkdirSync(dirname(to), { recursive: true });
    if (!copy.manifest) cpSync(copy.from, to);
    else {
      const pkg = JSON.parse(readFileSync(copy.from, "utf8"));
      writeFileSync(to, `${JSON.stringify({ ...pkg, main: "./index.mjs" }, null, 2)}\n`);
    }
  }
  for (const [out, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(staging, out)), { recursive: true });
    writeFileSync(join(staging, out), text);
  }

  const inputs = [
    ...Object.keys(result.metafile.inputs).map((input) => join(REPO, input)),
    ...extensions.copies.map((copy) => copy.from),
    // A new built-in extension changes its root folder; a changed layout or build script changes everything.
    ...BUILTIN_EXTENSION_ROOTS.map((root) => join(REPO, root.source)),
    fileURLToPath(new URL("./build-layout.ts", import.meta.url)),
    fileURLToPath(import.meta.url),
  ].map((input) => relative(REPO, input));
  writeFileSync(join(staging, INPUTS), `${JSON.stringify({ startedAt, inputs }, null, 2)}\n`);

  const outputs = Object.values(result.metafile.outputs);
  return { files: outputs.length, bytes: outputs.reduce((sum, output) => sum + output.bytes, 0) };
}

/** True when `dist` holds a build that no source file changed since (nothing was edited, added or removed). */
export function isFresh(dist = DIST): boolean {
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(join(dist, INPUTS), "utf8")) as {
      startedAt: number;
      inputs: string[];
    };
    return inputs.every((input) => statSync(join(REPO, input)).mtimeMs < startedAt);
  } catch {
    return false;
  }
}

/**
 * Builds unless dist is fresh. Vitest's global setup calls it, so a test that starts the daemon through
 * bin/autostun.mjs runs the code as it is now, also when one test file runs right after an edit.
 */
export async function ensureBuilt(dist = DIST): Promise<void> {
  if (!isFresh(dist)) await buildDaemon(dist);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildDaemon().then(
    (built) => {
      const mb = (built.bytes / 1024 / 1024).toFixed(1);
      console.log(
        `built the daemon into ${relative(process.cwd(), built.dist) || "."} (${built.files} files, ${mb} MiB)`,
      );
    },
    (error: unknown) => {
      // esbuild has printed its errors (each naming the file and line) already.
      if (error instanceof Error && "errors" in error) console.error("build: failed, see the errors above");
      else console.error(error instanceof LayoutError ? `build: ${error.message}` : error);
      process.exitCode = 1;
    },
  );
}
