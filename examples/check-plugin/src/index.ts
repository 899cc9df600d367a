import { statfs } from "node:fs/promises";
import type { CheckImplementation, CheckResult, ExtensionContext } from "@autostun/plugins-api";
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

export function activate(context: ExtensionContext): void {
  const { path, minFreeGiB } = settings(context.config);
  const check: CheckImplementation = {
    async run() {
      const stats = await statfs(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      return judge(path, stats ? stats.bavail * stats.bsize : undefined, minFreeGiB);
    },
  };
  context.subscriptions.push(context.registerCheck("example.disk-space", check));
}
