// tsyringe needs the Reflect polyfill loaded before it, whichever test imports this file first.
import "reflect-metadata";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostOptions } from "@autostun/extension-host";
import {
  type CheckContributions,
  ExtensionPointRegistry,
  registerChecksPoint,
} from "@autostun/extension-host";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { createExtensionHost } from "../container.js";
import { Tokens } from "../tokens.js";

export interface TestPlugin {
  name: string;
  engines?: string;
  checks: { id: string; title?: string; dependsOn?: string[]; timeoutMs?: number }[];
  /** Other `contributes` keys, written into the manifest as given (beside the checks above). */
  contributes?: Record<string, unknown>;
  /** Body of `activate(context)` in plain JavaScript. */
  activate: string;
  activationEvents?: string[];
  /** Module-level code, run when the plugin is imported. */
  prelude?: string;
  /** The manifest's `main`; `index.mjs` (which is always written) when absent. */
  main?: string;
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
        main: plugin.main ?? "index.mjs",
        autostun: {
          engines: { autostun: plugin.engines ?? "^1.0.0" },
          ...(plugin.activationEvents ? { activationEvents: plugin.activationEvents } : {}),
          contributes: {
            ...plugin.contributes,
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

/** A registry with the engine's checks point, as the container makes it, for hosts built by hand. */
export function checksOnlyPoints(): { points: ExtensionPointRegistry; checks: CheckContributions } {
  const points = new ExtensionPointRegistry();
  return { points, checks: registerChecksPoint(points) };
}

/** A check body returning a fixed verdict, for plugins in tests. */
export function verdict(id: string, status: string, summary = `${id} says ${status}`): string {
  return `context.subscriptions.push(context.registerCheck(${JSON.stringify(id)}, { async run() { return { status: ${JSON.stringify(status)}, summary: ${JSON.stringify(summary)}, facts: { from: ${JSON.stringify(id)} } }; } }));`;
}

/**
 * Container overrides giving the daemon's extension host other limits (a shorter heartbeat, a smaller heap),
 * so a suite can watch a hung or bloated plugin being stopped without waiting for the production defaults.
 */
export function extensionHostTuned(tuning: Pick<HostOptions, "activationTimeoutMs" | "isolation">) {
  return (c: DependencyContainer) => {
    c.register(Tokens.ExtensionHost, {
      useFactory: instanceCachingFactory((d) => createExtensionHost((token) => d.resolve(token), tuning)),
    });
  };
}
