// What `npm run build` turns into apps/server/dist: every path the build depends on is in this one file, so
// moving a source file means editing a line here (the build stops with the line's name when a path is gone).
// Paths are relative to the repository root; `out` paths are relative to apps/server/dist.
import {
  PLUGIN_RUNTIME_HOOKS,
  PLUGIN_RUNTIME_START,
} from "../../../packages/extension-host/src/plugin-process/child-entry.js";

/**
 * Bundled entries of the daemon. They are built together with code splitting, so a module they share (the
 * plugin API, probes, STUN) exists once in the process: an `instanceof` or a token from one entry matches
 * the other's. Shared chunks land in dist itself, never in a sub-folder (see `RELOCATIONS`).
 */
export const ENTRIES: readonly { out: string; source: string }[] = [
  // The CLI and daemon; apps/server/bin/autostun.mjs imports it and calls `main`.
  { out: "autostun", source: "apps/server/src/cli/main.ts" },
  // What a plugin's own process runs, and the plugin API it hands the plugin (child-entry.ts).
  {
    out: "plugin-runtime/plugin-process",
    source: "packages/extension-host/src/plugin-process/child-main.ts",
  },
  { out: "plugin-runtime/plugins-api", source: "packages/plugins-api/src/index.ts" },
];

/** Files written as they are: the start file and resolve hook of a plugin process, beside its runtime. */
export const FILES: Readonly<Record<string, string>> = {
  "plugin-runtime/start.mjs": PLUGIN_RUNTIME_START,
  "plugin-runtime/hooks.mjs": PLUGIN_RUNTIME_HOOKS,
};

/**
 * Folders of built-in extensions (one sub-folder each, with a package.json manifest). Each is built into
 * `out/<name>/` with its manifest, `main` pointing at the built module, and its translation files.
 */
export const BUILTIN_EXTENSION_ROOTS: readonly { out: string; source: string }[] = [
  { out: "extensions/checks", source: "packages/checks/src" },
  { out: "extensions/downloaders", source: "packages/downloaders/src/builtin" },
];

/** Files copied into each built-in extension's folder beside its manifest. */
export const EXTENSION_FILES = /^package\.nls(\.[\w-]+)?\.json$/;

/**
 * Source lines that find files relative to the module's own location. In the bundle the module sits in
 * dist, so each `from` (which must appear exactly once in `file`) is replaced by `to`, relative to dist.
 */
export const RELOCATIONS: readonly { file: string; from: string; to: string }[] = [
  {
    file: "packages/checks/src/index.ts",
    from: 'new URL(".", import.meta.url)',
    to: 'new URL("./extensions/checks/", import.meta.url)',
  },
  {
    file: "packages/downloaders/src/index.ts",
    from: 'new URL("./builtin/", import.meta.url)',
    to: 'new URL("./extensions/downloaders/", import.meta.url)',
  },
  {
    file: "apps/server/src/http/static.ts",
    from: 'new URL("../../../../docs", import.meta.url)',
    to: 'new URL("../../../docs", import.meta.url)',
  },
  {
    file: "apps/server/src/http/static.ts",
    from: 'new URL("../../../console/dist", import.meta.url)',
    to: 'new URL("../../console/dist", import.meta.url)',
  },
  {
    file: "packages/extension-host/src/plugin-process/child-entry.ts",
    from: "const PREBUILT_RUNTIME: URL | undefined = undefined;",
    to: 'const PREBUILT_RUNTIME: URL | undefined = new URL("./plugin-runtime/start.mjs", import.meta.url);',
  },
];

/**
 * Packages loaded from node_modules at run time instead of bundled: native addons, code that starts worker
 * threads from its own files, optional peers that may be absent, and the dev tools the built daemon must
 * never load (`child-entry.ts` reaches for them only when running from source).
 */
export const EXTERNAL: readonly string[] = [
  "better-sqlite3",
  "pino",
  "bufferutil",
  "utf-8-validate",
  "esbuild",
  "tsx",
];
