import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExtensionHost, resultProblem } from "@autostun/extension-host";
import { API_VERSION } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Daemon } from "../daemon.js";
import { startTestDaemon } from "../testing/daemon.js";
import { checksOnlyPoints, extensionHostTuned, verdict, writePlugins } from "../testing/plugins.js";
import { english, englishError } from "../testing/text.js";
import { Tokens } from "../tokens.js";

// Plugins run in processes of their own: the hanger proves its signal aborted by leaving a file behind.
const marks = mkdtempSync(join(tmpdir(), "autostun-isolation-"));
const hangerAborted = join(marks, "hanger-aborted");
const remedyApplied = join(marks, "remedy-applied");

// Broken plugins of every kind, next to healthy ones: the healthy ones must still run and report.
const pluginsDir = writePlugins([
  { name: "good", checks: [{ id: "good.one" }], activate: verdict("good.one", "PASS") },
  {
    name: "thrower",
    checks: [{ id: "thrower.check" }],
    activate: `context.registerCheck("thrower.check", { async run() { throw new Error("disk on fire"); } });`,
  },
  {
    name: "hanger",
    checks: [{ id: "hanger.check", timeoutMs: 300 }],
    prelude: `import { writeFileSync } from "node:fs";`,
    activate: `context.registerCheck("hanger.check", { run: (ctx) => new Promise(() => { ctx.signal.addEventListener("abort", () => writeFileSync(${JSON.stringify(hangerAborted)}, String(ctx.signal.reason))); }) });`,
  },
  {
    name: "rpc",
    checks: [{ id: "rpc.check" }],
    prelude: `import { writeFileSync } from "node:fs";\nconst service = (ctx, name) => ctx.services.get(Symbol.for("autostun." + name));`,
    // Everything a plugin may ask of the daemon, from inside its own process.
    activate: `
      context.subscriptions.push(context.registerGatherer("rpc.addresses", { async gather(ctx) {
        return (await service(ctx, "NetworkInfo").addresses()).map((a) => a.address);
      } }));
      context.subscriptions.push(context.registerCheck("rpc.check", {
        async run(ctx) {
          const addresses = await ctx.gather("rpc.addresses");
          const controller = new AbortController();
          const sleeping = service(ctx, "CommandRunner").run(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { signal: controller.signal });
          controller.abort();
          const command = await sleeping;
          let unknown; try { service(ctx, "Nope"); } catch (error) { unknown = error.message; }
          const downloaders = await service(ctx, "Downloaders").list();
          let probeError; try { await service(ctx, "Downloaders").probe("nope", { signal: new AbortController().signal }); } catch (error) { probeError = error.message; }
          return { status: "PASS", summary: "used the daemon's services",
            facts: { loopback: addresses.includes("127.0.0.1"), platform: service(ctx, "HostInfo").platform,
                     udp: service(ctx, "StunSettings").udp, command: command.error, unknown, downloaders, probeError },
            remedies: [{ id: "fix", title: "Fix it", description: "writes a file" }] };
        },
        async applyRemedy(id) { writeFileSync(${JSON.stringify(remedyApplied)}, id); return { ok: true, message: "applied " + id }; },
      }));`,
  },
  {
    name: "too-new",
    engines: "^2.0.0",
    checks: [{ id: "toonew.check" }],
    activate: verdict("toonew.check", "PASS"),
  },
  {
    name: "bad-activate",
    checks: [{ id: "badactivate.check" }],
    activate: `throw new Error("cannot find my config");`,
  },
  {
    name: "load-crash",
    checks: [{ id: "loadcrash.check" }],
    activate: "",
    prelude: `throw new Error("module top level exploded");`,
  },
  {
    name: "pair",
    checks: [{ id: "pair.left" }, { id: "pair.right" }],
    // Each waits until both have started: they can only pass if the engine runs them at the same time.
    activate: `
      const meet = () => new Promise((resolve) => {
        globalThis.__pairStarted = (globalThis.__pairStarted ?? 0) + 1;
        const poll = setInterval(() => { if (globalThis.__pairStarted >= 2) { clearInterval(poll); resolve(); } }, 5);
        setTimeout(() => { clearInterval(poll); resolve(); }, 3000);
      });
      for (const id of ["pair.left", "pair.right"]) context.registerCheck(id, { async run() {
        await meet();
        return globalThis.__pairStarted >= 2 ? { status: "PASS", summary: "ran alongside its twin" } : { status: "FAIL", summary: "ran alone" };
      } });
    `,
  },
  {
    name: "liar",
    checks: [{ id: "liar.check" }],
    activate: `context.registerCheck("liar.check", { async run() { return { status: "GREAT", summary: 5 }; } });`,
  },
  {
    name: "ordered",
    checks: [
      { id: "ordered.base" },
      { id: "ordered.derived", dependsOn: ["ordered.base"] },
      { id: "ordered.loop-a", dependsOn: ["ordered.loop-b"] },
      { id: "ordered.loop-b", dependsOn: ["ordered.loop-a"] },
      { id: "ordered.orphan", dependsOn: ["nowhere.check"] },
    ],
    activate: `
      context.registerCheck("ordered.base", { async run() { await new Promise((r) => setTimeout(r, 50)); return { status: "WARN", summary: "base done" }; } });
      context.registerCheck("ordered.derived", { async run(ctx) { const base = ctx.dependency("ordered.base"); return { status: "PASS", summary: "saw " + base.status, facts: { base: base.status } }; } });
      for (const id of ["ordered.loop-a", "ordered.loop-b", "ordered.orphan"]) context.registerCheck(id, { async run() { return { status: "PASS", summary: "ran" }; } });
    `,
  },
]);

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

const ids = [
  "good.one",
  "thrower.check",
  "hanger.check",
  "toonew.check",
  "badactivate.check",
  "loadcrash.check",
  "liar.check",
];

describe("a plugin that breaks never takes the others down", () => {
  it("reports each broken plugin as ERROR with its cause while the good check passes", async () => {
    const states = await daemon.engine.run(ids);
    const byId = Object.fromEntries(states.map((s) => [s.id, s]));
    expect(byId["good.one"]?.status).toBe("PASS");
    expect(byId["thrower.check"]?.status).toBe("ERROR");
    expect(english(byId["thrower.check"]?.summary)).toContain("disk on fire");
    expect(byId["hanger.check"]?.status).toBe("ERROR");
    expect(english(byId["hanger.check"]?.summary)).toContain("300 ms");
    await expect.poll(() => existsSync(hangerAborted)).toBe(true);
    expect(byId["toonew.check"]?.status).toBe("ERROR");
    expect(english(byId["toonew.check"]?.summary)).toContain(
      `requires AutoSTUN plugin API ^2.0.0, but this AutoSTUN provides ${API_VERSION}`,
    );
    expect(byId["badactivate.check"]?.status).toBe("ERROR");
    expect(english(byId["badactivate.check"]?.summary)).toContain("cannot find my config");
    expect(byId["loadcrash.check"]?.status).toBe("ERROR");
    expect(english(byId["loadcrash.check"]?.summary)).toMatch(
      /plugin load-crash failed to load: module top level exploded/,
    );
    expect(byId["liar.check"]?.status).toBe("ERROR");
    expect(english(byId["liar.check"]?.summary)).toContain("invalid result");
  });

  it("lists refused and failed extensions with their state", () => {
    const host = daemon.container.resolve<ExtensionHost>(Tokens.ExtensionHost);
    const byId = Object.fromEntries(host.extensionList().map((e) => [e.info.id, e]));
    expect(byId["too-new"]?.state).toBe("INCOMPATIBLE");
    expect(byId["bad-activate"]?.state).toBe("FAILED");
    expect(byId["good"]?.state).toBe("ACTIVE");
  });

  it("gives a plugin in its own process the daemon's services, gatherers and remedies", async () => {
    const [state] = await daemon.engine.run(["rpc.check"]);
    expect(state).toMatchObject({
      status: "PASS",
      facts: {
        loopback: true,
        platform: process.platform,
        udp: [],
        command: "ABORTED",
        unknown: expect.stringContaining("offers no service autostun.Nope"),
        downloaders: [],
        probeError: expect.stringContaining("tunnel nope has no downloader configured"),
      },
    });
    const remedy = await daemon.engine.applyRemedy("rpc.check", "fix");
    expect(remedy).toMatchObject({ ok: true, message: "applied fix", check: { status: "PASS" } });
    expect(existsSync(remedyApplied)).toBe(true);
  });

  it("runs independent checks at the same time", async () => {
    const states = await daemon.engine.run(["pair.left", "pair.right"]);
    expect(states.map((s) => s.status)).toEqual(["PASS", "PASS"]);
  });

  it("runs a check after its dependency and lets it read the result", async () => {
    const states = await daemon.engine.run(["ordered.derived"]);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ status: "PASS", facts: { base: "WARN" } });
    expect(daemon.engine.get("ordered.base")?.status).toBe("WARN");
  });

  it("reports a dependency cycle and an unknown dependency as errors instead of hanging", async () => {
    const states = await daemon.engine.run(["ordered.loop-a", "ordered.orphan"]);
    const byId = Object.fromEntries(states.map((s) => [s.id, s]));
    expect(english(byId["ordered.loop-a"]?.summary)).toMatch(/dependency cycle: .*ordered\.loop-a/);
    expect(english(byId["ordered.orphan"]?.summary)).toBe("depends on unknown check nowhere.check");
  });

  it("keeps the latest result and a history in SQLite", async () => {
    await daemon.engine.run(["good.one"]);
    await daemon.engine.run(["good.one"]);
    const store = daemon.container.resolve<import("@autostun/extension-host").CheckStore>(Tokens.CheckStore);
    expect(store.history("good.one").length).toBeGreaterThanOrEqual(2);
    expect(store.latest().find((s) => s.id === "good.one")?.status).toBe("PASS");
  });
});

describe("built-in extensions, which run in the daemon's process", () => {
  const logs: string[] = [];
  const lateDone = join(marks, "late-registration-done");
  const builtins = writePlugins([
    {
      name: "slow-activate",
      checks: [{ id: "slow.check" }],
      prelude: `import { writeFileSync } from "node:fs";`,
      // Registers only after its activation has been given up on: the host must not take it back.
      activate: `
        setTimeout(() => {
          context.registerCheck("slow.check", { async run() { return { status: "PASS", summary: "late" }; } });
          context.registerGatherer("slow.facts", { async gather() { return 1; } });
          writeFileSync(${JSON.stringify(lateDone)}, "done");
        }, 400);
        await new Promise(() => {});`,
    },
    {
      name: "stuck-import",
      checks: [{ id: "stuck.check" }],
      prelude: "await new Promise(() => {});",
      activate: verdict("stuck.check", "PASS"),
    },
  ]);
  const host = new ExtensionHost({
    ...checksOnlyPoints(),
    services: { get: () => undefined as never },
    logger: (bindings) => {
      const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
        logs.push(JSON.stringify({ level, message, ...bindings, ...fields }));
      return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
    },
    pluginConfig: {},
    activationTimeoutMs: 200,
  });
  host.discover([{ dir: builtins, builtin: true }]);
  afterAll(() => host.dispose());

  it("marks an extension whose activate() timed out FAILED and refuses what it registers later", async () => {
    const resolved = await host.resolveCheck("slow.check");
    expect(englishError(resolved)).toMatch(/slow-activate failed to activate: .*within 200 ms/);
    await expect.poll(() => existsSync(lateDone), { timeout: 10_000 }).toBe(true);

    expect(englishError(await host.resolveCheck("slow.check"))).toMatch(/within 200 ms/);
    expect(host.gatherer("slow.facts")).toBeUndefined();
    expect(host.extensionList().find((e) => e.info.id === "slow-activate")).toMatchObject({
      state: "FAILED",
      isolated: false,
    });
    const refusals = logs.filter((line) => line.includes("refused to register"));
    expect(refusals).toEqual([
      expect.stringMatching(/check slow\.check: the plugin is FAILED.*"extension":"slow-activate"/),
      expect.stringMatching(/gatherer slow\.facts: the plugin is FAILED/),
    ]);
  });

  it("counts import() in the activation timeout: a top-level await that never settles fails the extension", async () => {
    expect(englishError(await host.resolveCheck("stuck.check"))).toMatch(
      /stuck-import failed to activate: loading and activate\(\) did not finish within 200 ms/,
    );
    expect(host.extensionList().find((e) => e.info.id === "stuck-import")?.state).toBe("FAILED");
  });
});

describe("the size of a result", () => {
  const text = (bytes: number) => "x".repeat(bytes);

  it("refuses facts over their limit, naming the size and the limit", () => {
    const problem = resultProblem({ status: "PASS", summary: "ok", facts: { dump: text(200 * 1024) } });
    expect(english(problem)).toMatch(/facts are 200 KiB of JSON, over the 128 KiB limit/);
  });

  it("refuses a whole result over its limit, even with small facts", () => {
    const problem = resultProblem({ status: "WARN", summary: text(300 * 1024), facts: {} });
    expect(english(problem)).toMatch(/300 KiB of JSON, over the 256 KiB limit/);
  });

  it("accepts an ordinary result", () => {
    expect(resultProblem({ status: "PASS", summary: "ok", facts: { natType: "NAT1" } })).toBeUndefined();
  });
});

describe("stopping the daemon", () => {
  it("ends every plugin process, even one whose deactivate() never returns", async () => {
    const dir = writePlugins([
      {
        name: "stubborn",
        checks: [{ id: "stubborn.check" }],
        activationEvents: ["onStartup"],
        prelude: "export function deactivate() { return new Promise(() => {}); }",
        activate: verdict("stubborn.check", "PASS"),
      },
      {
        name: "polite",
        checks: [{ id: "polite.check" }],
        activationEvents: ["onStartup"],
        activate: verdict("polite.check", "PASS"),
      },
    ]);
    const own = await startTestDaemon(
      { plugins: { dirs: [dir], config: {} } },
      extensionHostTuned({ isolation: { deactivateTimeoutMs: 300 } }),
    );
    const host = own.container.resolve<ExtensionHost>(Tokens.ExtensionHost);
    const pids = host.extensionList().flatMap((e) => (e.pid === undefined ? [] : [e.pid]));
    expect(pids).toHaveLength(2);
    expect(pids.every(isRunning)).toBe(true);

    await own.stop();
    expect(pids.filter(isRunning)).toEqual([]);
    expect(own.logs.join("")).toMatch(/"extension":"stubborn".*deactivate\(\) did not finish within 300 ms/);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
