import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "@autostun/config";
import { InvalidTunnelError, parseTunnel } from "@autostun/tunnels";
import { describe, expect, it } from "vitest";

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "autostun-config-")), "autostun.yaml");
  writeFileSync(file, text);
  return file;
}

function problemsOf(file: string) {
  try {
    loadConfig({ file, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const TUNNEL = "tunnels:\n  - id: qb\n    target: 127.0.0.1:6881\n";

describe("a tunnel's downloader and hooks in the config file", () => {
  it("reads the downloader with its restart hook and the hooks, with their defaults", () => {
    const file = yamlFile(
      `${TUNNEL}    downloader:\n      kind: aria2\n      url: http://127.0.0.1:6800/jsonrpc\n      password: s3cret\n` +
        `      restartHook:\n        command: [/usr/local/bin/restart-aria2, --quiet]\n` +
        `    hooks:\n      command: [/usr/local/bin/on-port]\n      webhook:\n        url: https://hooks.example/autostun\n        secret: abc\n`,
    );
    const [tunnel] = loadConfig({ file, env: {} }).config.tunnels;
    expect(tunnel?.downloader).toEqual({
      kind: "aria2",
      url: "http://127.0.0.1:6800/jsonrpc",
      username: "",
      password: "s3cret",
      restartHook: { command: ["/usr/local/bin/restart-aria2", "--quiet"], timeoutSeconds: 60 },
    });
    expect(tunnel?.hooks).toEqual({
      command: ["/usr/local/bin/on-port"],
      timeoutSeconds: 30,
      webhook: { url: "https://hooks.example/autostun", secret: "abc", secretHeader: "X-AutoSTUN-Secret" },
    });
  });

  it("names the key and line of a hook command written as one shell string", () => {
    const file = yamlFile(`${TUNNEL}    hooks:\n      command: "/usr/bin/curl -d $PORT x"\n`);
    expect(problemsOf(file)).toEqual([
      {
        key: "tunnels[0].hooks.command",
        source: `${file}:5`,
        message: expect.stringContaining("expected a list: the program, then its arguments"),
      },
    ]);
  });

  it("refuses a webhook that is not http(s), a bad timeout and an unknown key, each with its line", () => {
    const file = yamlFile(
      `${TUNNEL}    hooks:\n      timeoutSeconds: 0\n      webhook:\n        url: ftp://x/\n    downloader:\n      kind: qbittorrent\n      url: http://127.0.0.1:8080\n      passwrd: x\n`,
    );
    const problems = problemsOf(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          key: "tunnels[0].hooks.timeoutSeconds",
          source: `${file}:5`,
          message: expect.stringContaining("1-600"),
        },
        {
          key: "tunnels[0].hooks.webhook.url",
          source: `${file}:7`,
          message: expect.stringContaining("http(s) URL"),
        },
        { key: "tunnels[0].downloader.passwrd", source: `${file}:11`, message: "unknown key passwrd" },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("refuses a downloader kind in the wrong shape, and saveTunnel says the same with the tunnel's key", () => {
    const file = yamlFile(
      `${TUNNEL}    downloader:\n      kind: "qBittorrent 5"\n      url: http://127.0.0.1:8080\n`,
    );
    expect(problemsOf(file)).toEqual([
      {
        key: "tunnels[0].downloader.kind",
        source: `${file}:5`,
        message: expect.stringContaining("lower case"),
      },
    ]);
    let refused: unknown;
    try {
      parseTunnel({ id: "qb", target: "127.0.0.1:6881", downloader: { kind: "qBittorrent 5", url: "x" } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InvalidTunnelError);
    expect((refused as InvalidTunnelError).problems).toEqual([
      { key: "tunnel.downloader.kind", message: expect.stringContaining("lower case") },
      { key: "tunnel.downloader.url", message: expect.stringContaining("http(s) URL") },
    ]);
  });
});
