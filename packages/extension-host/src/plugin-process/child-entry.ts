import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Loads the plugin runtime from TypeScript through tsx: always works, but costs every process a compile. */
export const TSX_BOOTSTRAP = fileURLToPath(new URL("./child-bootstrap.mjs", import.meta.url));
const SOURCE = fileURLToPath(new URL("./child-main.ts", import.meta.url));

/**
 * The plugin runtime `npm run build` wrote beside the built daemon (apps/server/scripts/build-layout.ts
 * points this at it); undefined while the daemon runs from its TypeScript sources.
 */
const PREBUILT_RUNTIME: URL | undefined = undefined;

let entry: Promise<string> | undefined;

/**
 * The file each plugin process starts from. The built daemon has the plugin runtime built beside it as
 * plain JavaScript. From source, the runtime is bundled into one plain JavaScript file once per daemon, so a
 * plugin's process still starts as fast as any Node script (a tsx start per plugin costs several hundred ms
 * of CPU, seconds on a NAS or a busy machine, all of it inside the activation limit); that falls back to the
 * tsx bootstrap when bundling is impossible (no esbuild, read-only temp folder).
 */
export function pluginProcessEntry(onFallback?: (reason: string) => void): Promise<string> {
  if (PREBUILT_RUNTIME) return Promise.resolve(fileURLToPath(PREBUILT_RUNTIME));
  entry ??= bundle().catch((error: unknown) => {
    onFallback?.(error instanceof Error ? error.message : String(error));
    return TSX_BOOTSTRAP;
  });
  return entry;
}

async function bundle(): Promise<string> {
  // esbuild is what tsx itself compiles with, so bundling adds no new kind of dependency.
  const { build } = await import("esbuild");
  const compile = async (entry: string) => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.text;
    if (!code) throw new Error(`esbuild produced no output for ${entry}`);
    return code;
  };
  const runtime = await compile(SOURCE);
  // Plugins import the plugin API by name, as VS Code extensions import `vscode`; the host hands them its
  // own copy as plain JavaScript, whatever form (even TypeScript source) a copy next to the plugin has.
  const api = await compile(createRequire(import.meta.url).resolve("@autostun/plugins-api"));
  // A folder of our own (mkdtemp makes it 0700): a shared, predictable path in the temp folder would let
  // another local user plant the file a root daemon then runs.
  const dir = mkdtempSync(join(tmpdir(), "autostun-plugin-runtime-"));
  writeFileSync(join(dir, "plugin-process.mjs"), runtime, { mode: 0o600 });
  writeFileSync(join(dir, "plugins-api.mjs"), api, { mode: 0o600 });
  writeFileSync(join(dir, "hooks.mjs"), PLUGIN_RUNTIME_HOOKS, { mode: 0o600 });
  writeFileSync(join(dir, "start.mjs"), PLUGIN_RUNTIME_START, { mode: 0o600 });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "start.mjs");
}

/** Resolve hook of a plugin process: `@autostun/plugins-api` is the host's copy beside it. The build writes it too. */
export const PLUGIN_RUNTIME_HOOKS = `const api = new URL("./plugins-api.mjs", import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === "@autostun/plugins-api") return { url: api, shortCircuit: true };
  return next(specifier, context);
}
`;

/** The file a plugin process starts from, beside plugin-process.mjs, plugins-api.mjs and hooks.mjs. */
export const PLUGIN_RUNTIME_START = `import { register } from "node:module";
process.setSourceMapsEnabled(true);
register("./hooks.mjs", import.meta.url);
await import("./plugin-process.mjs");
`;
