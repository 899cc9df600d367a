import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckState } from "@autostun/extension-host";
import type { EventBus } from "@autostun/runtime";
import { describe, expect, it } from "vitest";
import type { DaemonEvents } from "../events/daemon-events.js";
import { startTestDaemon } from "../testing/daemon.js";
import { verdict, writePlugins } from "../testing/plugins.js";
import { Tokens } from "../tokens.js";

describe("daemon lifecycle", () => {
  it("disposes what extensions registered when it stops, and calls deactivate", async () => {
    const marks = mkdtempSync(join(tmpdir(), "autostun-dispose-"));
    const pluginsDir = writePlugins([
      {
        name: "tidy",
        checks: [{ id: "tidy.check" }],
        activationEvents: ["onStartup"],
        prelude: `import { writeFileSync } from "node:fs";\nexport function deactivate() { writeFileSync(${JSON.stringify(join(marks, "deactivated"))}, "yes"); }`,
        activate: `${verdict("tidy.check", "PASS")}
          context.subscriptions.push({ dispose() { writeFileSync(${JSON.stringify(join(marks, "disposed"))}, "yes"); } });`,
      },
    ]);
    const daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
    expect(existsSync(join(marks, "disposed"))).toBe(false);
    await daemon.stop();
    expect(readFileSync(join(marks, "disposed"), "utf8")).toBe("yes");
    expect(readFileSync(join(marks, "deactivated"), "utf8")).toBe("yes");
  });

  it("re-runs the diagnosis on its schedule without being asked", async () => {
    const pluginsDir = writePlugins([
      { name: "tick", checks: [{ id: "tick.check" }], activate: verdict("tick.check", "PASS") },
    ]);
    const daemon = await startTestDaemon({
      plugins: { dirs: [pluginsDir], config: {} },
      checks: { intervalSeconds: 1, runOnStart: false },
    });
    try {
      const bus = daemon.container.resolve<EventBus<DaemonEvents>>(Tokens.Bus);
      const finished = await new Promise<CheckState>((resolve) => {
        bus.subscribe("check.updated", (state) => {
          if (state.id === "tick.check" && state.status === "PASS") resolve(state);
        });
      });
      expect(finished.status).toBe("PASS");
    } finally {
      await daemon.stop();
    }
  });

  it("keeps the last results across a restart, so the console is not blank after an upgrade", async () => {
    const pluginsDir = writePlugins([
      { name: "keep", checks: [{ id: "keep.check" }], activate: verdict("keep.check", "WARN") },
    ]);
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-keep-"));
    const first = await startTestDaemon({ dataDir, plugins: { dirs: [pluginsDir], config: {} } });
    await first.engine.run(["keep.check"]);
    await first.stop();
    const second = await startTestDaemon({ dataDir, plugins: { dirs: [pluginsDir], config: {} } });
    try {
      expect(second.engine.get("keep.check")).toMatchObject({
        status: "WARN",
        summary: "keep.check says WARN",
      });
    } finally {
      await second.stop();
    }
  });
});
