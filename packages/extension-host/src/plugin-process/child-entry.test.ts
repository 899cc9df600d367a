import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { pluginProcessEntry, TSX_BOOTSTRAP } from "./child-entry.js";

/** Started by hand instead of by the daemon, the runtime says so and exits 2: it loaded and ran. */
function expectRuntimeRuns(entry: string): void {
  const run = spawnSync(process.execPath, [entry], { encoding: "utf8", timeout: 30_000 });
  expect(run.stderr).toContain("the daemon starts it, not a user");
  expect(run.status).toBe(2);
}

it("from source, starts plugin processes from one bundled JavaScript file that plain Node runs without tsx", async () => {
  const entry = await pluginProcessEntry((reason) => {
    throw new Error(`fell back to tsx: ${reason}`);
  });
  expect(entry).not.toBe(TSX_BOOTSTRAP);
  expect(entry).toMatch(/\.mjs$/);
  expectRuntimeRuns(entry);
});
