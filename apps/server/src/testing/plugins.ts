import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPlugin {
  name: string;
  engines?: string;
  checks: { id: string; title?: string; dependsOn?: string[]; timeoutMs?: number }[];
  /** Body of `activate(context)` in plain JavaScript. */
  activate: string;
  activationEvents?: string[];
  /** Module-level code, run when the plugin is imported. */
  prelude?: string;
  /** package.nls files: `{ "": {...english}, "zh-cn": {...} }`. */
  nls?: Record<string, Record<string, string>>;
}

/** Writes plugins as real folders (package.json manifest + ESM main), the way users install them. */
export function writePlugins(
  plugins: readonly TestPlugin[],
  root = mkdtempSync(join(tmpdir(), "autostun-plugins-")),
) {
  for (const plugin of plugins) {
    const dir = join(root, plugin.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: plugin.name,
        version: "1.0.0",
        type: "module",
        main: "index.mjs",
        autostun: {
          engines: { autostun: plugin.engines ?? "^1.0.0" },
          ...(plugin.activationEvents ? { activationEvents: plugin.activationEvents } : {}),
          contributes: {
            checks: plugin.checks.map((check) => ({ title: check.id, category: "test", ...check })),
          },
        },
      }),
    );
    for (const [locale, table] of Object.entries(plugin.nls ?? {})) {
      writeFileSync(
        join(dir, locale ? `package.nls.${locale}.json` : "package.nls.json"),
        JSON.stringify(table),
      );
    }
    writeFileSync(
      join(dir, "index.mjs"),
      `${plugin.prelude ?? ""}\nexport async function activate(context) {\n${plugin.activate}\n}\n`,
    );
  }
  return root;
}

/** A check body returning a fixed verdict, for plugins in tests. */
export function verdict(id: string, status: string, summary = `${id} says ${status}`): string {
  return `context.subscriptions.push(context.registerCheck(${JSON.stringify(id)}, { async run() { return { status: ${JSON.stringify(status)}, summary: ${JSON.stringify(summary)}, facts: { from: ${JSON.stringify(id)} } }; } }));`;
}
