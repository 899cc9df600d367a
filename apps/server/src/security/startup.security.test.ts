import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExtensionSource } from "@autostun/extension-host";
import { CheckStore } from "@autostun/extension-host";
import { DATABASE_FILE, openDatabase } from "@autostun/store";
import Database from "better-sqlite3";
import type { DependencyContainer } from "tsyringe";
import { afterAll, describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { authHeader } from "../testing/known-tokens.js";
import { verdict, writePlugins } from "../testing/plugins.js";
import { requireRoot } from "../testing/require-root.js";
import { Tokens } from "../tokens.js";
import { type Finished, logLines, plainLines, runCli, serve, writeConfig } from "./testing/cli-process.js";

/*
 * Start-up and shutdown as a user meets them: each bad input below must end in exit 2 with one line that
 * names the key or path and what to do (never a stack trace), a damaged database must be kept and
 * replaced loudly, and SIGTERM must stop the daemon promptly even while a check hangs.
 */

/** Each CLI run starts Node and compiles TypeScript; on a busy machine a few of them take a while. */
const SPAWNS = { timeout: 120_000 };
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;
const NOBODY = 65534;

function lineOf(file: string, needle: string): number {
  return (
    readFileSync(file, "latin1")
      .split("\n")
      .findIndex((line) => line.includes(needle)) + 1
  );
}

function expectConfigRefused(result: Finished, problem: string | RegExp) {
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const [head, ...problems] = plainLines(result.stderr);
  expect(head).toBe("autostun: invalid configuration:");
  expect(problems).toHaveLength(1);
  if (typeof problem === "string") expect(problems[0]).toBe(problem);
  else expect(problems[0]).toMatch(problem);
  expect(result.code).toBe(2);
}

function expectOneLine(result: Finished, line: string | RegExp) {
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const lines = plainLines(result.stderr);
  expect(lines).toHaveLength(1);
  if (typeof line === "string") expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(result.code).toBe(2);
}

describe("config the daemon refuses: exit 2 naming the key and where it was set", SPAWNS, () => {
  it("refuses a check interval past what a timer can hold (2147484 s became a 1 ms loop)", async () => {
    const { file } = writeConfig("checks:\n  runOnStart: false\n  intervalSeconds: 2147484\n");
    expectConfigRefused(
      await runCli(["serve", "--config", file]),
      `  - checks.intervalSeconds (${file}:${lineOf(file, "2147484")}): 2147484 is out of range: use 0-604800 seconds (0 = off)`,
    );
    const fromEnv = await runCli(["serve", "--config", writeConfig("").file], {
      env: { AUTOSTUN_CHECKS_INTERVAL_SECONDS: "2147484" },
    });
    expectConfigRefused(
      fromEnv,
      "  - checks.intervalSeconds (env AUTOSTUN_CHECKS_INTERVAL_SECONDS): 2147484 is out of range: use 0-604800 seconds (0 = off)",
    );
  });

  it("refuses a keep-alive interval out of its range", async () => {
    const { file } = writeConfig("keepalive:\n  intervalSeconds: 2147484\n");
    expectConfigRefused(
      await runCli(["serve", "--config", file]),
      `  - keepalive.intervalSeconds (${file}:${lineOf(file, "2147484")}): 2147484 is out of range: use 1-3600 seconds`,
    );
  });

  it("refuses a YAML alias bomb before expanding it", async () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (const name of "bcdefghi") {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const { file } = writeConfig(
      `plugins:\n  dirs: []\n  config:\n    bomb:\n${levels.map((l) => `      ${l}`).join("\n")}\n`,
    );
    expectConfigRefused(
      await runCli(["serve", "--config", file]),
      new RegExp(
        `^ {2}- plugins\\.config\\.bomb\\.[a-i]\\[\\d\\] \\(${file}:\\d+\\): aliases make this file expand to more than 100000 values \\(a YAML alias bomb\\); write the values out instead of nesting aliases$`,
      ),
    );
  });

  it("refuses an alias that contains itself", async () => {
    const { file } = writeConfig("plugins:\n  dirs: []\n  config:\n    loop: &x { again: *x }\n");
    expectConfigRefused(
      await runCli(["serve", "--config", file]),
      `  - plugins.config.loop.again (${file}:${lineOf(file, "*x")}): the alias *x refers to a value that contains it, which never ends; write the value out instead`,
    );
  });

  it("refuses !!js/function and any other tag beyond plain values", async () => {
    const tagged = writeConfig('dataDir: !!js/function "function () { return 1 }"\n');
    expectConfigRefused(
      await runCli(["serve", "--config", tagged.file]),
      `  - dataDir (${tagged.file}:${lineOf(tagged.file, "!!js/function")}): the tag !!js/function is not allowed: a config holds plain values only (text, numbers, true/false, lists, mappings); remove the tag`,
    );
    const custom = writeConfig("plugins:\n  dirs: []\n  config:\n    p: { secret: !include /etc/shadow }\n");
    expectConfigRefused(
      await runCli(["serve", "--config", custom.file]),
      new RegExp(
        `^ {2}- plugins\\.config\\.p\\.secret \\(${custom.file}:\\d+\\): the tag !include is not allowed`,
      ),
    );
    expect(readdirSync(tagged.folder)).toEqual(["autostun.yaml"]);
  });

  it("refuses bytes that are not UTF-8 instead of making a folder named after them", async () => {
    const folder = mkdtempSync(join(tmpdir(), "autostun-start-"));
    const { file } = writeConfig(
      Buffer.concat([
        Buffer.from(`dataDir: ${folder}/data-`),
        Buffer.from([0xff, 0xfe, 0xe9]),
        Buffer.from("\n"),
      ]),
      folder,
    );
    expectConfigRefused(
      await runCli(["serve", "--config", file]),
      `  - dataDir (${file}:${lineOf(file, "dataDir")}): holds bytes that are not valid UTF-8 (they would show as "\uFFFD"); save the file as UTF-8 or correct the value`,
    );
    expect(readdirSync(folder)).toEqual(["autostun.yaml"]);
  });
});

describe("a data folder the daemon cannot use: exit 2 with one line naming the path", SPAWNS, () => {
  const where = "Point dataDir (config file, AUTOSTUN_DATA_DIR or --data-dir)";

  it("refuses a dataDir that is a file, under a file, or a device", async () => {
    const { folder, file } = writeConfig("");
    const plain = join(folder, "plain-file");
    writeFileSync(plain, "not a folder\n");
    expectOneLine(
      await runCli(["serve", "--config", file, "--data-dir", plain]),
      `autostun: cannot use ${plain} as the data folder: it is a file, not a folder. ${where} at a folder.`,
    );
    expectOneLine(
      await runCli(["serve", "--config", file, "--data-dir", join(plain, "data")]),
      `autostun: cannot create the data folder ${join(plain, "data")}: ${plain} on its path is a file, not a folder. ${where} elsewhere, or move ${plain} away.`,
    );
    expectOneLine(
      await runCli(["serve", "--config", file, "--data-dir", "/dev/null"]),
      `autostun: cannot use /dev/null as the data folder: it is a device, not a folder. ${where} at a folder.`,
    );
  });

  // A real read-only mount: root ignores file modes, so only the file system itself can refuse root.
  it("refuses a dataDir on a read-only file system, saying so (not ENOENT)", async () => {
    requireRoot();
    const { folder, file } = writeConfig("");
    const mount = join(folder, "ro");
    mkdirSync(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "autostun-test-ro", mount]);
    try {
      expectOneLine(
        await runCli(["serve", "--config", file, "--data-dir", mount]),
        `autostun: cannot use ${mount} as the data folder: it is on a read-only file system. ${where} at a writable folder, or give the folder to the user running AutoSTUN.`,
      );
      const nested = join(mount, "state", "autostun");
      expectOneLine(
        await runCli(["serve", "--config", file, "--data-dir", nested]),
        `autostun: cannot create the data folder ${nested}: ${mount} is where it would go, and it is on a read-only file system. ${where} at a writable folder, or create it with the right owner.`,
      );
    } finally {
      execFileSync("umount", [mount]);
    }
  });

  // The daemon runs as an ordinary user here, because root may write anywhere whatever the modes say.
  it("refuses a dataDir the user running AutoSTUN may not write", async () => {
    requireRoot();
    const { folder, file } = writeConfig("");
    const owned = join(folder, "root-only");
    mkdirSync(owned, { mode: 0o755 });
    chmodSync(owned, 0o755);
    const asNobody = { uid: NOBODY, gid: NOBODY };
    expectOneLine(
      await runCli(["serve", "--config", file, "--data-dir", owned], asNobody),
      `autostun: cannot use ${owned} as the data folder: the user running AutoSTUN (uid ${NOBODY}) may not write there. ${where} at a writable folder, or give the folder to the user running AutoSTUN.`,
    );
    expectOneLine(
      await runCli(["serve", "--config", file, "--data-dir", join(owned, "data")], asNobody),
      `autostun: cannot create the data folder ${join(owned, "data")}: ${owned} is where it would go, and the user running AutoSTUN (uid ${NOBODY}) may not write there. ${where} at a writable folder, or create it with the right owner.`,
    );
  });

  it("says only that the port is taken, without a library's dump", async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const { file } = writeConfig(`api: { listen: "127.0.0.1:${port}" }\n`);
      expectOneLine(
        await runCli(["serve", "--config", file]),
        `autostun: cannot listen on 127.0.0.1:${port}: another program already uses that port (another AutoSTUN?). Stop it, or set api.listen (or --listen) to a free port.`,
      );
    } finally {
      holder.close();
    }
  });
});

/** A database with real history in it, spread over many pages, as a daemon leaves it. */
function populatedDatabase(dataDir: string): string {
  const db = openDatabase(dataDir);
  const store = new CheckStore(db);
  for (let run = 0; run < 300; run++) {
    store.recordFinished({
      id: `old.check${run % 5}`,
      title: "old",
      category: "test",
      dependsOn: [],
      extensionId: "old",
      status: "PASS",
      summary: `run ${run} ${"x".repeat(400)}`,
      facts: {},
      finishedAt: new Date(0).toISOString(),
    });
  }
  store.close();
  // Closing the last connection folds the WAL back in, so the damage below hits the only copy.
  db.close();
  return join(dataDir, DATABASE_FILE);
}

function overwrite(file: string, at: number, length: number) {
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, at);
  closeSync(fd);
}

const damages: Record<string, (file: string) => void> = {
  "cut short": (file) => truncateSync(file, 3 * 4096 + 100),
  "with a garbled header": (file) => overwrite(file, 0, 100),
  "with garbled pages further in": (file) => overwrite(file, 20 * 4096, 3 * 4096),
  "emptied to 0 bytes": (file) => truncateSync(file, 0),
};

async function graphql(url: string, query: string) {
  const response = await fetch(`${url}graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeader(url) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

describe("a damaged database is kept aside and replaced, loudly", SPAWNS, () => {
  const plugins = writePlugins([
    { name: "fine", checks: [{ id: "fine.check" }], activate: verdict("fine.check", "PASS") },
  ]);

  for (const [how, damage] of Object.entries(damages)) {
    it(`starts on a fresh database when the old one is ${how}, keeping the old bytes`, async () => {
      const { folder, file } = writeConfig(`plugins: { dirs: [${plugins}] }\n`);
      const dataDir = join(folder, "data");
      const db = populatedDatabase(dataDir);
      damage(db);
      const damagedBytes = readFileSync(db);

      const daemon = await serve(file);
      let ended: Finished | undefined;
      try {
        const kept = readdirSync(dataDir).find((name) => name.startsWith(`${DATABASE_FILE}.damaged-`));
        expect(kept).toBeDefined();
        const keptAs = join(dataDir, kept as string);
        expect(readFileSync(keptAs).equals(damagedBytes)).toBe(true);
        expect(plainLines(daemon.output.stderr)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^autostun: warning: the database ${db} was damaged \\(.+\\); it is kept as ${keptAs} and a fresh one was made\\. Earlier check history is in the kept file\\.$`,
            ),
          ),
        ]);
        expect(logLines(daemon.output.stderr)).toContainEqual(
          expect.objectContaining({ level: 40, path: db, keptAs }),
        );
        const ran = await graphql(daemon.url, 'mutation { runChecks(ids: ["fine.check"]) { id status } }');
        expect(ran).toEqual({ data: { runChecks: [{ id: "fine.check", status: "PASS" }] } });
      } finally {
        daemon.child.kill("SIGTERM");
        ended = await daemon.finished;
      }
      expect(ended.code).toBe(0);
      expect(ended.stderr).not.toMatch(STACK_FRAME);
      const fresh = new Database(db, { readonly: true });
      try {
        expect(fresh.pragma("quick_check", { simple: true })).toBe("ok");
        expect(fresh.prepare("SELECT id, status FROM check_latest").all()).toEqual([
          { id: "fine.check", status: "PASS" },
        ]);
      } finally {
        fresh.close();
      }
    });
  }
});

/**
 * Loads test plugins the way built-ins are loaded, inside the daemon's process: a plugin process would be
 * killed on stop anyway, so only an in-process check shows whether stopping cancels runs by itself.
 */
function inProcess(plugins: Parameters<typeof writePlugins>[0]) {
  const dir = writePlugins(plugins);
  return (c: DependencyContainer) => {
    c.register<ExtensionSource[]>(Tokens.ExtensionSources, { useValue: [{ dir, builtin: true }] });
  };
}

/** Resolves with the process's end, or with "still running" once `ms` passed: a generous bound, not a timing. */
function within<T>(ms: number, promise: Promise<T>): Promise<T | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<"still running">((resolve) => {
      timer = setTimeout(() => resolve("still running"), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe("stopping while checks run", SPAWNS, () => {
  const marks = mkdtempSync(join(tmpdir(), "autostun-stop-marks-"));
  /** A check that hangs for ten minutes, leaving `mark` behind once its body runs. */
  const hangingPlugin = (mark: string) => ({
    name: "hangs",
    prelude: `import { writeFileSync } from "node:fs";`,
    checks: [{ id: "hangs.forever", timeoutMs: 600_000 }],
    activate: `context.registerCheck("hangs.forever", { async run() {
      writeFileSync(${JSON.stringify(mark)}, "started");
      await new Promise((resolve) => setTimeout(resolve, 600000));
      return { status: "PASS", summary: "ten minutes later" };
    } });`,
  });
  const startedMark = join(marks, "hang-started");
  const fine = { name: "fine", checks: [{ id: "fine.check" }], activate: verdict("fine.check", "PASS") };
  const plugins = writePlugins([hangingPlugin(startedMark), fine]);
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("serve exits 0 promptly on SIGTERM while a check hangs and requests pile up, with nothing written to a closed database", async () => {
    const { file, folder } = writeConfig(`plugins: { dirs: [${plugins}] }\n`);
    const daemon = await serve(file);
    cleanups.push(async () => {
      if (daemon.child.exitCode === null) daemon.child.kill("SIGKILL");
    });
    const requests = new AbortController();
    const pending = Array.from({ length: 20 }, (_, index) =>
      fetch(`${daemon.url}graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...daemon.auth },
        body: JSON.stringify({
          query: `mutation { runChecks(ids: ["hangs.forever", "fine.check"]) { id status } } # ${index}`,
        }),
        signal: requests.signal,
      }).catch(() => undefined),
    );
    await expect.poll(() => existsSync(startedMark), { timeout: 10_000 }).toBe(true);

    daemon.child.kill("SIGTERM");
    const ended = await within(15_000, daemon.finished);
    requests.abort();
    await Promise.all(pending);

    expect(ended).not.toBe("still running");
    const finished = ended as Finished;
    expect(finished.code).toBe(0);
    expect(finished.stderr).not.toContain("database connection is not open");
    expect(finished.stderr).not.toMatch(STACK_FRAME);
    expect(logLines(finished.stderr).map((line) => line.msg)).toContain("AutoSTUN stopped");
    const db = new Database(join(folder, "data", DATABASE_FILE), { readonly: true });
    try {
      expect(db.pragma("quick_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  });

  it("a second SIGTERM while stopping exits at once instead of waiting for a plugin that will not deactivate", async () => {
    const stubborn = writePlugins([
      {
        name: "stubborn",
        prelude: "export function deactivate() { return new Promise(() => {}); }",
        checks: [{ id: "stubborn.check" }],
        activate: verdict("stubborn.check", "PASS"),
      },
    ]);
    const { file } = writeConfig(`plugins: { dirs: [${stubborn}] }\n`);
    const daemon = await serve(file);
    cleanups.push(async () => {
      if (daemon.child.exitCode === null) daemon.child.kill("SIGKILL");
    });
    // The plugin must be up, or there is nothing to deactivate.
    const ran = await graphql(daemon.url, 'mutation { runChecks(ids: ["stubborn.check"]) { status } }');
    expect(ran.data).toEqual({ runChecks: [{ status: "PASS" }] });
    daemon.child.kill("SIGTERM");
    await expect.poll(() => daemon.output.stderr.includes("stopping; send the signal again")).toBe(true);
    daemon.child.kill("SIGTERM");
    const ended = await daemon.finished;
    expect(plainLines(ended.stderr)).toEqual([
      "autostun: SIGTERM again: exiting without waiting for the stop to finish",
    ]);
    expect(ended.code).toBe(143);
  });

  it("stop() ends a check that hangs inside the daemon's process as ERROR, and refuses new runs", async () => {
    const inProcessStarted = join(marks, "in-process-hang-started");
    const daemon = await startTestDaemon({}, inProcess([hangingPlugin(inProcessStarted), fine]));
    cleanups.push(() => daemon.stop());
    const run = daemon.engine.run(["hangs.forever"]);
    await expect.poll(() => existsSync(inProcessStarted), { timeout: 10_000 }).toBe(true);

    expect(
      await within(
        15_000,
        daemon.stop().then(() => "stopped" as const),
      ),
    ).toBe("stopped");
    const ended = await within(15_000, run);
    expect(ended).not.toBe("still running");
    expect((ended as Awaited<typeof run>)[0]).toMatchObject({ id: "hangs.forever", status: "ERROR" });
    await expect(daemon.engine.run(["fine.check"])).rejects.toThrow(/no checks start any more/);
  });

  it("a check that ignores its signal and finishes after stop writes nothing to the closed database", async () => {
    const lateStarted = join(marks, "late-started");
    const lateFinished = join(marks, "late-finished");
    const late = {
      name: "late",
      prelude: `import { writeFileSync } from "node:fs";`,
      checks: [{ id: "late.check" }],
      activate: `context.registerCheck("late.check", { async run() {
        writeFileSync(${JSON.stringify(lateStarted)}, "started");
        await new Promise((resolve) => setTimeout(resolve, 1500));
        writeFileSync(${JSON.stringify(lateFinished)}, "finished");
        return { status: "PASS", summary: "finished late" };
      } });`,
    };
    const daemon = await startTestDaemon({}, inProcess([late]));
    void daemon.engine.run(["late.check"]).catch(() => undefined);
    await expect.poll(() => existsSync(lateStarted), { timeout: 10_000 }).toBe(true);
    await daemon.stop();
    await expect.poll(() => existsSync(lateFinished), { timeout: 10_000 }).toBe(true);
    // Whatever the engine does with the late result happens in the turns right after it arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logs = daemon.logs.join("");
    expect(logs).not.toContain("database connection is not open");
    expect(logs).not.toContain("could not record result");
  });

  it("a schedule longer than Node's timers allow does not run the checks at once", async () => {
    const daemon = await startTestDaemon({
      plugins: { dirs: [plugins], config: {} },
      // Past the config's own bound on purpose: the scheduler must be safe on its own too.
      checks: { intervalSeconds: 2_147_484, runOnStart: false },
    });
    cleanups.push(() => daemon.stop());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(daemon.engine.get("fine.check")?.status).toBe("PENDING");
  });
});
