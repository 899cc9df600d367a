import { statfs } from "node:fs/promises";
import type { CheckImplementation, CheckResult, ExtensionContext, Gatherer } from "@autostun/plugins-api";
import { messages } from "./messages.js";

const GIB = 1024 ** 3;

/** Reads the plugin's config section: where downloads go and how much room is enough. */
function settings(config: Readonly<Record<string, unknown>>) {
  const path = typeof config.path === "string" && config.path ? config.path : process.cwd();
  const minFreeGiB = typeof config.minFreeGiB === "number" && config.minFreeGiB > 0 ? config.minFreeGiB : 5;
  return { path, minFreeGiB };
}

/** Judges the free space; pure, so it is tested without a disk. */
export function judge(path: string, freeBytes: number | undefined, minFreeGiB: number): CheckResult {
  if (freeBytes === undefined) {
    return {
      status: "FAIL",
      summary: messages.text("summary.missing", { path }),
      facts: { path, exists: false },
      guidance: {
        title: messages.text("guidance.missing.title"),
        steps: messages.steps("guidance.missing.steps", { path }),
      },
    };
  }
  const free = Math.floor((freeBytes / GIB) * 10) / 10;
  const facts = { path, exists: true, freeBytes, minFreeGiB };
  if (free >= minFreeGiB)
    return { status: "PASS", summary: messages.text("summary.ok", { free, path }), facts };
  return {
    status: "WARN",
    summary: messages.text("summary.low", { free, path, min: minFreeGiB }),
    facts,
    guidance: {
      title: messages.text("guidance.low.title"),
      steps: messages.steps("guidance.low.steps", { path }),
    },
  };
}

/** What the `example.free-space` gatherer shares: the folder and its free bytes (undefined: it is missing). */
export interface FreeSpace {
  path: string;
  freeBytes: number | undefined;
}

export const FREE_SPACE = "example.free-space";

export function activate(context: ExtensionContext): void {
  const { path, minFreeGiB } = settings(context.config);
  // Declared in contributes.gatherers, so a check of another plugin may ask for it too: the daemon then
  // starts this plugin for it (onGatherer:example.free-space) and measures once per diagnosis.
  const freeSpace: Gatherer<FreeSpace> = {
    async gather() {
      const stats = await statfs(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      return { path, freeBytes: stats ? stats.bavail * stats.bsize : undefined };
    },
  };
  const check: CheckImplementation = {
    async run(ctx) {
      const { freeBytes } = await ctx.gather<FreeSpace>(FREE_SPACE);
      return judge(path, freeBytes, minFreeGiB);
    },
  };
  context.subscriptions.push(
    context.registerGatherer(FREE_SPACE, freeSpace),
    context.registerCheck("example.disk-space", check),
  );
}
