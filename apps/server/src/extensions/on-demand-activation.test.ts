import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExtensionHost } from "@autostun/extension-host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Daemon } from "../daemon.js";
import { startTestDaemon } from "../testing/daemon.js";
import { checksOnlyPoints, verdict, writePlugins } from "../testing/plugins.js";
import { english, englishError } from "../testing/text.js";
import { Tokens } from "../tokens.js";

// Each plugin leaves a file behind when its module is loaded, so a plugin that never started is seen too.
const marks = mkdtempSync(join(tmpdir(), "autostun-on-demand-"));
const loaded = (name: string) => join(marks, `${name}-loaded`);
const markLoad = (name: string) =>
  `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(loaded(name))}, String(process.pid));`;

const pluginsDir = writePlugins([
  {
    // Provides a gatherer and no check: only a check asking for it may start this plugin.
    name: "prober",
    checks: [],
    contributes: { gatherers: [{ id: "shared.facts" }] },
    activationEvents: ["onGatherer:shared.facts"],
    prelude: markLoad("prober"),
    activate: `context.subscriptions.push(context.registerGatherer("shared.facts", {
      async gather() { return { answer: 42, pid: process.pid }; },
    }));`,
  },
  {
    name: "asker",
    checks: [{ id: "asker.check" }],
    prelude: markLoad("asker"),
    activate: `context.subscriptions.push(context.registerCheck("asker.check", { async run(ctx) {
      const facts = await ctx.gather("shared.facts");
      return { status: "PASS", summary: "got the shared facts", facts: { ...facts, own: process.pid } };
    } }));`,
  },
  {
    name: "bystander",
    checks: [{ id: "bystander.check" }],
    prelude: markLoad("bystander"),
    activate: verdict("bystander.check", "PASS"),
  },
  {
    // Written the 1.6 way: registers a gatherer its manifest does not declare.
    name: "undeclared-provider",
    checks: [],
    activationEvents: [],
    prelude: markLoad("undeclared-provider"),
    activate: `context.registerGatherer("hidden.facts", { async gather() { return 1; } });`,
  },
  {
    name: "needs-hidden",
    checks: [{ id: "needshidden.check" }],
    activate: `context.registerCheck("needshidden.check", { async run(ctx) {
      await ctx.gather("hidden.facts");
      return { status: "PASS", summary: "found it" };
    } });`,
  },
]);

/** The plugin processes this process has started and that still run, by pid. */
function pluginProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field of stat, after a command name in parentheses that may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (parent === process.pid && command.includes("autostun-plugin-runtime")) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

describe("a diagnosis starts only the plugins it needs", () => {
  it("runs a check whose gatherer lives in another plugin, and never starts an unrelated plugin", async () => {
    expect(pluginProcesses()).toEqual([]);
    const [state] = await daemon.engine.run(["asker.check"]);
    expect(state).toMatchObject({ status: "PASS", facts: { answer: 42 } });
    // The gatherer ran in the process of the plugin that declares it, not in the asking one.
    expect(state?.facts.pid).not.toBe(state?.facts.own);

    const host = daemon.container.resolve<ExtensionHost>(Tokens.ExtensionHost);
    const byId = Object.fromEntries(host.extensionList().map((e) => [e.info.id, e]));
    expect(byId.asker).toMatchObject({ state: "ACTIVE", pid: state?.facts.own });
    expect(byId.prober).toMatchObject({ state: "ACTIVE", pid: state?.facts.pid });
    expect(byId.bystander).toMatchObject({ state: "INACTIVE", restarts: 0 });
    expect(byId.bystander?.pid).toBeUndefined();
    // The only plugin processes are those two: the bystander's was never spawned, and never loaded it.
    expect(pluginProcesses()).toEqual([byId.asker?.pid, byId.prober?.pid].sort((a = 0, b = 0) => a - b));
    expect(existsSync(loaded("bystander"))).toBe(false);
    expect(existsSync(loaded("undeclared-provider"))).toBe(false);
  });

  it("names an undeclared gatherer in the check's error instead of starting every plugin to find it", async () => {
    const [state] = await daemon.engine.run(["needshidden.check"]);
    expect(state?.status).toBe("ERROR");
    expect(english(state?.summary)).toMatch(
      /no plugin declares the gatherer hidden\.facts in contributes\.gatherers/,
    );
    expect(existsSync(loaded("undeclared-provider"))).toBe(false);
    expect(existsSync(loaded("bystander"))).toBe(false);
  });
});

describe("a registration the host refuses", () => {
  // The same plugin twice: once as a built-in (in the daemon's process), once in a process of its own.
  const logs: { level: string; message: string; extension?: string }[] = [];
  const misuse = (name: string) => ({
    name,
    checks: [{ id: `${name}.report` }],
    contributes: { gatherers: [{ id: `${name}.facts` }] },
    // Each mistake is tried; what the plugin's own code saw thrown becomes the facts of its check.
    activate: `
      const seen = [];
      const attempt = (register) => { try { register(); seen.push("taken"); } catch (error) { seen.push(error.message); } };
      attempt(() => context.registerCheck("${name}.undeclared", { async run() {} }));
      attempt(() => context.registerCheck("${name}.report", { nope: true }));
      attempt(() => context.registerGatherer("${name}.facts", {}));
      attempt(() => context.registerGatherer("nat.discovery", { async gather() { return 1; } }));
      context.registerCheck("${name}.report", { async run() { return { status: "PASS", summary: "seen", facts: { seen } }; } });`,
  });
  const builtins = writePlugins([
    misuse("inside"),
    { name: "nat-owner", checks: [], contributes: { gatherers: [{ id: "nat.discovery" }] }, activate: "" },
  ]);
  const plugins = writePlugins([misuse("outside")]);
  const host = new ExtensionHost({
    ...checksOnlyPoints(),
    services: {
      get: () => {
        throw new Error("no services in this test");
      },
    },
    logger: (bindings) => {
      const write = (level: string) => (message: string) => logs.push({ level, message, ...bindings });
      return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
    },
    pluginConfig: {},
  });
  host.discover([
    { dir: builtins, builtin: true },
    { dir: plugins, builtin: false },
  ]);
  afterAll(() => host.dispose());

  async function seen(check: string): Promise<unknown> {
    const resolved = await host.resolveCheck(check);
    if (!("implementation" in resolved)) throw new Error(englishError(resolved));
    const services = { get: () => undefined as never };
    const result = await resolved.implementation.run({
      signal: new AbortController().signal,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      services,
      gather: () => Promise.reject(new Error("no gathering here")),
      dependency: () => undefined,
    });
    return result.facts?.seen;
  }

  it("throws the same mistakes to a built-in and to a plugin in its own process, and logs each once", async () => {
    const inside = await seen("inside.report");
    const outside = await seen("outside.report");
    const expected = (name: string) => [
      `check ${name}.undeclared is not declared in contributes.checks of ${name}'s manifest`,
      `check ${name}.report needs a run(context) function`,
      `gatherer ${name}.facts needs a gather(context) function`,
      // Declared by another plugin: refused and logged, but not the plugin's own mistake.
      "taken",
    ];
    expect(inside).toEqual(expected("inside"));
    expect(outside).toEqual(expected("outside"));
    const refusals = (extension: string) =>
      logs
        .filter((line) => line.extension === extension && line.message.startsWith("refused to register"))
        .map((line) => `${line.level} ${line.message.replaceAll(extension, "X")}`);
    expect(refusals("inside")).toEqual([
      "error refused to register check X.undeclared: check X.undeclared is not declared in contributes.checks of X's manifest",
      "error refused to register check X.report: check X.report needs a run(context) function",
      "error refused to register gatherer X.facts: gatherer X.facts needs a gather(context) function",
      "error refused to register gatherer nat.discovery: gatherer nat.discovery is provided by nat-owner",
    ]);
    await expect.poll(() => refusals("outside")).toEqual(refusals("inside"));
  });
});
