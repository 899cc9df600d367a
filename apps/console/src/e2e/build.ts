import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./daemon.js";

const CONSOLE_DIR = join(REPO_ROOT, "apps/console");

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Builds the console when its dist is missing or older than its sources, so the browser test never
 * runs against a stale bundle (the daemon serves whatever `apps/console/dist` holds).
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, "dist/index.html");
  const sources = Math.max(
    newestMtime(join(CONSOLE_DIR, "src")),
    newestMtime(join(CONSOLE_DIR, "index.html")),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(REPO_ROOT, "node_modules/vite/bin/vite.js");
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: CONSOLE_DIR,
    stdio: "pipe",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
