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
});
