import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { loadConfig } from "./load.js";

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "autostun-config-")), "autostun.yaml");
  writeFileSync(file, text);
  return file;
}

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("config loading", () => {
  it("works with no file at all, on embedded defaults", () => {
    const { config } = loadConfig({ env: {} });
    expect(config.api.listen).toBe("127.0.0.1:7878");
    expect(config.stun.tcp.length).toBeGreaterThan(0);
    expect(config.tunnels).toEqual([]);
  });

  it("names the key and the file line of a wrong value", () => {
    const file = yamlFile(
      "api:\n  listen: 127.0.0.1:7878\ntunnels:\n  - id: qb\n    target: not-an-address\n",
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { key: "tunnels[0].target", source: `${file}:5`, message: expect.stringContaining('"host:port"') },
    ]);
  });

  it("names an unknown key and where it is, so typos do not pass silently", () => {
    const file = yamlFile("dataDir: ./x\nstun:\n  udpp: []\n");
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { key: "stun.udpp", source: `${file}:3`, message: "unknown key udpp" },
    ]);
  });

  it("reports a YAML syntax error with its line", () => {
    const file = yamlFile("api:\n  listen: [oops\nfoo: bar\n");
    const [problem] = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problem?.key).toBe("(syntax)");
    expect(problem?.source).toMatch(new RegExp(`^${file}:\\d+$`));
  });

  it("lets env override the file and flags override env, naming the variable on error", () => {
    const file = yamlFile("api:\n  listen: 127.0.0.1:1000\n");
    const env = { AUTOSTUN_API_LISTEN: "127.0.0.1:2000", AUTOSTUN_STUN_UDP: "10.0.0.1:3478, 10.0.0.2:3478" };
    const fromEnv = loadConfig({ file, env }).config;
    expect(fromEnv.api.listen).toBe("127.0.0.1:2000");
    expect(fromEnv.stun.udp).toEqual(["10.0.0.1:3478", "10.0.0.2:3478"]);
    const fromFlag = loadConfig({
      file,
      env,
      flags: [{ path: ["api", "listen"], value: "127.0.0.1:3000", label: "flag --listen" }],
    });
    expect(fromFlag.config.api.listen).toBe("127.0.0.1:3000");
    expect(problemsOf(() => loadConfig({ env: { AUTOSTUN_CHECKS_INTERVAL_SECONDS: "soon" } }))).toEqual([
      {
        key: "checks.intervalSeconds",
        source: "env AUTOSTUN_CHECKS_INTERVAL_SECONDS",
        message: expect.any(String),
      },
    ]);
  });

  it("resolves relative paths against the config file's folder", () => {
    const file = yamlFile("dataDir: ./state\nplugins:\n  dirs: [./more-plugins]\n");
    const { config } = loadConfig({ file, env: {} });
    expect(config.dataDir).toBe(join(file, "..", "state"));
    expect(config.plugins.dirs).toEqual([join(file, "..", "more-plugins")]);
  });

  it("says when the file does not exist", () => {
    expect(problemsOf(() => loadConfig({ file: "/nonexistent/autostun.yaml", env: {} }))).toEqual([
      { key: "(file)", source: "/nonexistent/autostun.yaml", message: "file not found" },
    ]);
  });

  it("bounds every duration, naming the key and the range", () => {
    const file = yamlFile("checks:\n  intervalSeconds: 2147484\nkeepalive:\n  intervalSeconds: 0\n");
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      {
        key: "keepalive.intervalSeconds",
        source: `${file}:4`,
        message: "0 is out of range: use 1-3600 seconds",
      },
      {
        key: "checks.intervalSeconds",
        source: `${file}:2`,
        message: "2147484 is out of range: use 0-604800 seconds (0 = off)",
      },
    ]);
    expect(
      loadConfig({ env: { AUTOSTUN_CHECKS_INTERVAL_SECONDS: "604800" } }).config.checks.intervalSeconds,
    ).toBe(604800);
  });

  it("refuses an alias bomb without expanding it, naming where it grows too big", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of "bcdefghij") {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
    }
    const file = yamlFile(`plugins:\n  config:\n    bomb:\n${levels.map((l) => `      ${l}`).join("\n")}\n`);
    const [problem, ...more] = problemsOf(() => loadConfig({ file, env: {} }));
    expect(more).toEqual([]);
    expect(problem?.key).toMatch(/^plugins\.config\.bomb\.[a-j]\[\d\]$/);
    expect(problem?.source).toMatch(new RegExp(`^${file}:\\d+$`));
    expect(problem?.message).toContain("alias bomb");
  });

  it("still accepts a few plain aliases", () => {
    const file = yamlFile("stun:\n  udp: &servers ['10.0.0.1:3478']\n  tcp: *servers\n");
    expect(loadConfig({ file, env: {} }).config.stun.tcp).toEqual(["10.0.0.1:3478"]);
  });

  it("refuses an alias to its own container and an alias to nothing", () => {
    const loop = yamlFile("plugins:\n  config:\n    p: &p\n      again: *p\n");
    expect(problemsOf(() => loadConfig({ file: loop, env: {} }))).toEqual([
      {
        key: "plugins.config.p.again",
        source: `${loop}:4`,
        message: expect.stringContaining("refers to a value that contains it"),
      },
    ]);
    const dangling = yamlFile("dataDir: *nowhere\n");
    expect(problemsOf(() => loadConfig({ file: dangling, env: {} }))).toEqual([
      { key: "(file)", source: dangling, message: expect.stringContaining("nowhere") },
    ]);
  });

  it("refuses tags that ask for more than plain values, and keeps the harmless ones", () => {
    const file = yamlFile(
      'dataDir: !!js/function "function () {}"\nplugins:\n  config:\n    p: { a: !!binary aGk=, b: !custom x, c: !!str 12 }\n',
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      {
        key: "dataDir",
        source: `${file}:1`,
        message: expect.stringContaining("the tag !!js/function is not allowed"),
      },
      {
        key: "plugins.config.p.a",
        source: `${file}:4`,
        message: expect.stringContaining("the tag !!binary"),
      },
      { key: "plugins.config.p.b", source: `${file}:4`, message: expect.stringContaining("the tag !custom") },
    ]);
    const plain = yamlFile("plugins:\n  config:\n    p: { c: !!str 12 }\n");
    expect(loadConfig({ file: plain, env: {} }).config.plugins.config).toEqual({ p: { c: "12" } });
  });

  it("refuses bytes that are not UTF-8, from a file or from the environment", () => {
    const file = yamlFile("");
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from("log: { level: info }\ndataDir: ./data-"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from("\n"),
      ]),
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { key: "dataDir", source: `${file}:2`, message: expect.stringContaining("not valid UTF-8") },
    ]);
    // Node hands undecodable bytes in the environment over as U+FFFD.
    expect(problemsOf(() => loadConfig({ env: { AUTOSTUN_DATA_DIR: "/srv/\uFFFD\uFFFD" } }))).toEqual([
      {
        key: "dataDir",
        source: "env AUTOSTUN_DATA_DIR",
        message: expect.stringContaining("not valid UTF-8"),
      },
    ]);
  });

  it("checks the relay's keys: origins, retention bounds, tunnel ids, and resolves the ban file", () => {
    const file = yamlFile(
      [
        "api:",
        "  corsOrigins: [https://dash.example, https://dash.example/console]",
        "bans: { file: bans.txt }",
        "connections:",
        "  retention: { maxRows: 10, maxAgeHours: 2 }",
        "tunnels:",
        "  - { id: qb, target: 127.0.0.1:6881 }",
        "  - { id: qb, target: 127.0.0.1:6882 }",
        "",
      ].join("\n"),
    );
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([
      { key: "api.corsOrigins[1]", source: `${file}:2`, message: expect.stringContaining("without a path") },
      { key: "connections.retention.maxRows", source: `${file}:5`, message: "use 100-1000000" },
      { key: "tunnels[1].id", source: `${file}:8`, message: expect.stringContaining("earlier tunnel") },
    ]);
    const good = yamlFile("bans: { file: bans.txt }\napi: { corsOrigins: [https://dash.example] }\n");
    const { config } = loadConfig({ file: good, env: {} });
    expect(config.bans.file).toBe(join(good, "..", "bans.txt"));
    expect(config.api.corsOrigins).toEqual(["https://dash.example"]);
    expect(config.connections.retention).toEqual({ maxRows: 2000, maxAgeHours: 24 });
  });
});
