import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "@autostun/config";
import {
  InvalidTunnelError,
  namedCommandsChanged,
  parseApiTunnel,
  withoutApiRefusals,
} from "@autostun/tunnels";
import { describe, expect, it } from "vitest";

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "autostun-config-")), "autostun.yaml");
  writeFileSync(file, text);
  try {
    return { config: loadConfig({ file, env: {} }).config, file };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems, file };
    throw error;
  }
}

const TUNNEL = "tunnels:\n  - id: qb\n    target: 127.0.0.1:6881\n";
const COMMANDS = { "on-port": ["/usr/local/bin/on-port"], "aria2-port": ["/usr/local/bin/aria2-port"] };

function apiProblems(input: unknown, commands = COMMANDS) {
  try {
    parseApiTunnel(input, commands);
  } catch (error) {
    if (error instanceof InvalidTunnelError) return error.problems;
    throw error;
  }
  return [];
}

describe("named commands in the config file", () => {
  it("are read, and tunnels of the file may use them or a command of their own", () => {
    const { config } = load(
      `commands:\n  on-port: [/usr/local/bin/on-port, --quiet]\n${TUNNEL}` +
        `    hooks:\n      commandName: on-port\n` +
        `    downloader:\n      kind: aria2\n      url: http://127.0.0.1:6800/jsonrpc\n      restartHook:\n        command: [/usr/local/bin/restart]\n`,
    );
    expect(config?.commands).toEqual({ "on-port": ["/usr/local/bin/on-port", "--quiet"] });
    expect(config?.tunnels[0]?.hooks?.commandName).toBe("on-port");
    expect(config?.tunnels[0]?.downloader?.restartHook?.command).toEqual(["/usr/local/bin/restart"]);
  });

  it("refuse a name commands lacks, both forms at once, and a restart hook with neither, with key and line", () => {
    const { problems, file } = load(
      `commands:\n  on-port: [/bin/true]\n${TUNNEL}` +
        `    hooks:\n      commandName: nope\n` +
        `    downloader:\n      kind: aria2\n      url: http://127.0.0.1:6800/jsonrpc\n      restartHook:\n        timeoutSeconds: 5\n` +
        `  - id: two\n    target: 127.0.0.1:6882\n    hooks:\n      command: [/bin/true]\n      commandName: on-port\n`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          key: "tunnels[0].hooks.commandName",
          source: `${file}:7`,
          message: expect.stringMatching(
            /no command named "nope" in the config file's commands \(it names on-port\)/,
          ),
        },
        {
          key: "tunnels[0].downloader.restartHook.command",
          source: expect.any(String),
          message: expect.stringContaining("give the program to run"),
        },
        {
          key: "tunnels[1].hooks.commandName",
          source: expect.any(String),
          message: "give command or commandName, not both",
        },
      ]),
    );
  });

  it("refuse a bad name and an empty argv", () => {
    const { problems } = load(`commands:\n  "bad name": [/bin/true]\n  ok: []\n`);
    expect(problems?.map((p) => p.key)).toEqual(expect.arrayContaining(["commands.bad name", "commands.ok"]));
  });

  it("may give a webhook's secret a reserved header: the file is the admin's", () => {
    const { config } = load(
      `${TUNNEL}    hooks:\n      webhook: { url: "http://127.0.0.1:9/x", secret: s, secretHeader: Authorization }\n`,
    );
    expect(config?.tunnels[0]?.hooks?.webhook?.secretHeader).toBe("Authorization");
  });
});

describe("a tunnel from the API", () => {
  const base = { id: "t", target: "127.0.0.1:6881" };

  it("may name one of the file's commands", () => {
    expect(apiProblems({ ...base, hooks: { commandName: "on-port" } })).toEqual([]);
    expect(
      apiProblems({
        ...base,
        downloader: {
          kind: "aria2",
          url: "http://127.0.0.1:6800/jsonrpc",
          restartHook: { commandName: "aria2-port" },
        },
      }),
    ).toEqual([]);
  });

  it("is refused a program of its own, even when the rest of it is wrong too", () => {
    expect(apiProblems({ id: "t", target: "nowhere", hooks: { command: ["/bin/sh"] } })).toEqual(
      expect.arrayContaining([
        { key: "tunnel.hooks.command", message: expect.stringContaining("only from the config file") },
        { key: "tunnel.target", message: expect.any(String) },
      ]),
    );
  });

  it("is refused an unknown name and a reserved secret header", () => {
    expect(
      apiProblems({
        ...base,
        hooks: {
          commandName: "rm",
          webhook: { url: "http://127.0.0.1:9/", secret: "s", secretHeader: "cookie" },
        },
      }),
    ).toEqual([
      { key: "tunnel.hooks.commandName", message: expect.stringContaining('no command named "rm"') },
      { key: "tunnel.hooks.webhook.secretHeader", message: expect.stringContaining("cookie cannot carry") },
    ]);
  });
});

describe("a tunnel stored by an older version", () => {
  it("loses its own programs, unknown names and reserved headers, and keeps the rest", () => {
    const stored = {
      id: "old",
      target: "127.0.0.1:6881",
      downloader: {
        kind: "aria2",
        url: "http://h/",
        restartHook: { command: ["/bin/sh"], timeoutSeconds: 60 },
      },
      hooks: {
        command: ["/bin/sh"],
        timeoutSeconds: 30,
        webhook: { url: "http://h/", secretHeader: "Host" },
      },
    };
    const { tunnel, removed } = withoutApiRefusals(stored, COMMANDS);
    expect(removed).toEqual([
      "hooks.command",
      "hooks.webhook.secretHeader (Host)",
      "downloader.restartHook.command",
    ]);
    expect(tunnel).toEqual({
      id: "old",
      target: "127.0.0.1:6881",
      downloader: { kind: "aria2", url: "http://h/" },
      hooks: { timeoutSeconds: 30, webhook: { url: "http://h/" } },
    });
    expect(stored.hooks.command).toEqual(["/bin/sh"]);
    expect(apiProblems(tunnel)).toEqual([]);
  });
});

describe("a reload that changes a named command", () => {
  it("rebuilds only the tunnels that name it", () => {
    const tunnel = { hooks: { commandName: "on-port" } } as never;
    expect(namedCommandsChanged(tunnel, COMMANDS, { ...COMMANDS, "on-port": ["/other"] })).toBe(true);
    expect(namedCommandsChanged(tunnel, COMMANDS, { ...COMMANDS, "aria2-port": ["/other"] })).toBe(false);
  });
});
