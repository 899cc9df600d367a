import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("built, has the plugin runtime beside the daemon, ready to start without bundling anything", () => {
  // Vitest's global setup built apps/server/dist from the current sources.
  const entry = fileURLToPath(new URL("../../dist/plugin-runtime/start.mjs", import.meta.url));
  const run = spawnSync(process.execPath, [entry], { encoding: "utf8", timeout: 30_000 });
  // Started by hand instead of by the daemon, the runtime says so and exits 2: it loaded and ran.
  expect(run.stderr).toContain("the daemon starts it, not a user");
  expect(run.status).toBe(2);
});
