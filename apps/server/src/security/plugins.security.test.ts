import { existsSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckState } from "@autostun/extension-host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { extensionHostTuned, verdict, writePlugins } from "../testing/plugins.js";
import { english } from "../testing/text.js";

/*
 * Each plugin below does one thing that used to kill or freeze the daemon, or ran code from outside its
 * folder. The daemon must refuse or survive each, report the plugin as failed, keep answering, and keep
 * running the healthy plugin's check next to them.
 */

const marks = mkdtempSync(join(tmpdir(), "autostun-plugin-marks-"));
const mark = (name: string) => JSON.stringify(join(marks, name));

// Code outside every plugin's folder: if any of it runs, it leaves a file behind.
const outside = join(marks, "outside-target.mjs");
const outsideRan = join(marks, "outside-ran");
writeFileSync(
  outside,
  `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(outsideRan)}, "ran");\nexport function activate() {}\n`,
);

const fs = `import { existsSync, writeFileSync } from "node:fs";`;

const pluginsDir = writePlugins(
  [
    { name: "healthy", checks: [{ id: "healthy.check" }], activate: verdict("healthy.check", "PASS") },
    {
      name: "exits-in-check",
      prelude: fs,
      checks: [{ id: "exits.check" }],
      // Exits on its first run only, so the restarted process can show the check working again.
      activate: `context.registerCheck("exits.check", { async run() {
      if (!existsSync(${mark("exited-once")})) { writeFileSync(${mark("exited-once")}, "1"); process.exit(3); }
      return { status: "PASS", summary: "back after a restart" };
    } });`,
    },
    {
      name: "exits-in-activate",
      checks: [{ id: "exitsactivate.check" }],
      activate: "process.exit(4);",
    },
    {
      name: "throws-in-timer",
      checks: [{ id: "timer.check" }],
      activate: `setTimeout(() => { throw new Error("boom in a timer"); }, 1);
      ${verdict("timer.check", "PASS")}`,
    },
    {
      name: "rejects-unhandled",
      checks: [{ id: "rejects.check" }],
      activate: `Promise.reject(new Error("a promise nobody awaited"));
      ${verdict("rejects.check", "PASS")}`,
    },
    {
      name: "never-loads",
      prelude: "await new Promise(() => {});",
      checks: [{ id: "neverloads.check" }],
      activate: verdict("neverloads.check", "PASS"),
    },
    {
      name: "busy-loop",
      prelude: fs,
      checks: [{ id: "busy.check", timeoutMs: 120_000 }],
      activate: `context.registerCheck("busy.check", { async run() {
      writeFileSync(${mark("busy-started")}, "1");
      const end = Date.now() + 20_000;
      while (Date.now() < end) {}
      return { status: "PASS", summary: "a busy loop must never pass" };
    } });`,
    },
    {
      name: "huge-facts",
      checks: [{ id: "huge.check" }],
      activate: `context.registerCheck("huge.check", { async run() {
      return { status: "PASS", summary: "here is everything", facts: { blob: "x".repeat(50 * 1024 * 1024) } };
    } });`,
    },
    {
      name: "eats-memory",
      checks: [{ id: "memory.check", timeoutMs: 120_000 }],
      activate: `context.registerCheck("memory.check", { async run() {
      const hoard = [];
      for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
    } });`,
    },
    {
      name: "main-relative",
      main: "../../outside-target.mjs",
      checks: [{ id: "relative.check" }],
      activate: "",
    },
    { name: "main-absolute", main: outside, checks: [{ id: "absolute.check" }], activate: "" },
    {
      name: "main-passwd",
      main: "../../../../../../../etc/passwd",
      checks: [{ id: "passwd.check" }],
      activate: "",
    },
    { name: "main-symlink", main: "linked.mjs", checks: [{ id: "symlink.check" }], activate: "" },
  ],
  join(marks, "plugins"),
);
symlinkSync(outside, join(pluginsDir, "main-symlink", "linked.mjs"));

type TestDaemon = Awaited<ReturnType<typeof startTestDaemon>>;
let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon(
    { plugins: { dirs: [pluginsDir], config: {} } },
    extensionHostTuned({
      // Generous for a loaded CI machine (a plugin process starts through tsx); far below the 20 s busy loop.
      activationTimeoutMs: 15_000,
      isolation: {
        heartbeatTimeoutMs: 6_000,
        memoryLimitMb: 256,
        // Long enough that the FAILED state between a crash and its restart can be seen over the API.
        restartDelayMs: 2_000,
        maxRestarts: 2,
        deactivateTimeoutMs: 2_000,
      },
    }),
  );
});
afterAll(() => daemon?.stop());

interface ExtensionView {
  id: string;
  state: string;
  error: string | null;
  isolated: boolean;
  restarts: number;
}

async function query<T>(text: string): Promise<T> {
  const response = await fetch(new URL("/graphql", daemon.url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${daemon.token}` },
    body: JSON.stringify({ query: text }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data?: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

async function extension(id: string): Promise<ExtensionView | undefined> {
  const data = await query<{ extensions: ExtensionView[] }>(
    "{ extensions { id state error isolated restarts } }",
  );
  return data.extensions.find((candidate) => candidate.id === id);
}

/** The daemon answers over HTTP and the healthy plugin's check still passes. */
async function stillServing(): Promise<void> {
  const data = await query<{ runChecks: { id: string; status: string }[] }>(
    'mutation { runChecks(ids: ["healthy.check"]) { id status } }',
  );
  expect(data.runChecks).toEqual([{ id: "healthy.check", status: "PASS" }]);
}

async function run(id: string): Promise<CheckState> {
  const [state] = (await daemon.engine.run([id])).filter((candidate) => candidate.id === id);
  return state as CheckState;
}

describe("a plugin cannot kill or freeze the daemon", () => {
  it("reports process.exit in a check as ERROR, restarts the plugin's process, and the check works again", async () => {
    const state = await run("exits.check");
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(
      /plugin exits-in-check's host exited with code 3 during check exits\.check/,
    );
    expect(await extension("exits-in-check")).toMatchObject({
      state: "FAILED",
      isolated: true,
      error: expect.stringMatching(/exited with code 3; restarting it in 2000 ms/),
    });
    await stillServing();

    await expect
      .poll(() => extension("exits-in-check"), { timeout: 20_000 })
      .toMatchObject({
        state: "ACTIVE",
        restarts: 1,
      });
    expect((await run("exits.check")).status).toBe("PASS");
  });

  it("shows a plugin that exits in activate() as FAILED, restarts it with back-off, then gives up", async () => {
    const state = await run("exitsactivate.check");
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(
      /exits-in-activate's host exited with code 4 during activate\(\)/,
    );
    await expect
      .poll(() => extension("exits-in-activate"), { timeout: 50_000 })
      .toMatchObject({ state: "FAILED", restarts: 2, error: expect.stringMatching(/not restarted again/) });
    // Each wait is longer than the one before: a plugin that always crashes never becomes a spin.
    const waits = daemon.logs
      .map((line) => JSON.parse(line) as { extension?: string; msg?: string; delayMs?: number })
      .filter((line) => line.extension === "exits-in-activate" && line.msg === "restarting plugin")
      .map((line) => line.delayMs);
    expect(waits).toEqual([2_000, 4_000]);
    await stillServing();
  }, 60_000);

  it.each([
    ["throws-in-timer", "timer.check", "boom in a timer"],
    ["rejects-unhandled", "rejects.check", "a promise nobody awaited"],
  ])("logs a stray error of %s with the plugin's name and keeps it running", async (name, check, text) => {
    expect((await run(check)).status).toBe("PASS");
    await expect
      .poll(() => daemon.logs.some((line) => line.includes(`"extension":"${name}"`) && line.includes(text)))
      .toBe(true);
    expect(await extension(name)).toMatchObject({ state: "ACTIVE", restarts: 0 });
    await stillServing();
  });

  it("fails a plugin whose top-level await never settles, within the activation timeout", async () => {
    const state = await run("neverloads.check");
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(
      /plugin never-loads failed to activate: .*did not finish within 15000 ms/,
    );
    expect(await extension("never-loads")).toMatchObject({ state: "FAILED" });
    await stillServing();
  });

  it("keeps answering while a plugin spins, then kills it and reports ERROR, never PASS", async () => {
    const running = run("busy.check");
    await expect.poll(() => existsSync(join(marks, "busy-started")), { timeout: 20_000 }).toBe(true);
    // The loop runs now: the daemon still answers, because the loop is not in its process.
    const during = await query<{ extensions: { id: string }[] }>("{ extensions { id } }");
    expect(during.extensions.map((e) => e.id)).toContain("busy-loop");
    const state = await running;
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(/busy-loop's host stopped answering .* during check busy\.check/);
    expect(await extension("busy-loop")).toMatchObject({ state: "FAILED" });
    await stillServing();
  });

  it("refuses 50 MB of facts as ERROR naming the size and the limit, and never stores them", async () => {
    for (let round = 0; round < 3; round++) {
      const state = await run("huge.check");
      expect(state.status).toBe("ERROR");
      expect(english(state?.summary)).toMatch(/50\.0 MiB of JSON, over the 128 KiB limit/);
    }
    const dataDir = daemon.config.dataDir;
    const bytes = readdirSync(dataDir).reduce((sum, file) => sum + statSync(join(dataDir, file)).size, 0);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
    await stillServing();
  });

  it("ends a plugin that goes over its memory limit and says so", async () => {
    const state = await run("memory.check");
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(/eats-memory's host ran out of memory \(limit 256 MB\)/);
    expect(await extension("eats-memory")).toMatchObject({
      state: "FAILED",
      error: expect.stringMatching(/ran out of memory.*restarting it in/),
    });
    await stillServing();
  });
});

describe("a plugin's main must lie inside its folder", () => {
  it.each([
    ["main-relative", "relative.check", /outside the plugin's folder/],
    ["main-absolute", "absolute.check", /outside the plugin's folder/],
    ["main-passwd", "passwd.check", /points to \/etc\/passwd, outside the plugin's folder/],
    ["main-symlink", "symlink.check", /through a symbolic link\), outside the plugin's folder/],
  ])("refuses %s as INCOMPATIBLE and never runs the file", async (name, check, reason) => {
    const state = await run(check);
    expect(state.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(reason);
    expect(await extension(name)).toMatchObject({
      state: "INCOMPATIBLE",
      error: expect.stringMatching(reason),
    });
    expect(existsSync(outsideRan)).toBe(false);
    await stillServing();
  });
});
