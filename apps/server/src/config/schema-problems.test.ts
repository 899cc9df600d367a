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

function refusal<T extends Error>(kind: new (...args: never[]) => T, run: () => unknown): T {
  try {
    run();
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}`);
}

describe("a tunnel with two typos, in the config file and through saveTunnel", () => {
  const tunnel = { id: "qb", target: "127.0.0.1:6881", locaPort: 6881, fowrard: "nftables" };

  it("the config file names each unknown key on its own line", () => {
    const file = yamlFile(
      "tunnels:\n  - id: qb\n    target: 127.0.0.1:6881\n    locaPort: 6881\n    fowrard: nftables\n",
    );
    const { problems } = refusal(ConfigError, () => loadConfig({ file, env: {} }));
    expect(problems).toEqual([
      { key: "tunnels[0].locaPort", source: `${file}:4`, message: "unknown key locaPort" },
      { key: "tunnels[0].fowrard", source: `${file}:5`, message: "unknown key fowrard" },
    ]);
  });

  it("the API refuses the same keys with the same words", () => {
    const { problems } = refusal(InvalidTunnelError, () => parseTunnel(tunnel));
    expect(problems).toEqual([
      { key: "tunnel.locaPort", message: "unknown key locaPort" },
      { key: "tunnel.fowrard", message: "unknown key fowrard" },
    ]);
  });
});
