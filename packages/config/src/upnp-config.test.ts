import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { loadConfig } from "./load.js";

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "autostun-upnp-")), "autostun.yaml");
  writeFileSync(file, text);
  try {
    return { file, config: loadConfig({ file, env: {} }).config, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { file, config: undefined, problems: error.problems };
    throw error;
  }
}

describe("config key upnp", () => {
  it("is off by default: the daemon talks to no router unless asked", () => {
    expect(loadConfig({ env: {} }).config.upnp).toEqual({ enabled: false, leaseSeconds: 3600 });
  });

  it('takes true, false or "auto", a lease and a description URL', () => {
    const { config } = load(
      'upnp:\n  enabled: auto\n  leaseSeconds: 600\n  descriptionUrl: "http://192.168.1.1:5000/rootDesc.xml"\n',
    );
    expect(config?.upnp).toEqual({
      enabled: "auto",
      leaseSeconds: 600,
      descriptionUrl: "http://192.168.1.1:5000/rootDesc.xml",
    });
  });

  it("names the key and the line of a wrong value", () => {
    const { file, problems } = load(
      "upnp:\n  enabled: sometimes\n  leaseSeconds: 5\n  descriptionUrl: router\n",
    );
    expect(problems).toEqual([
      { key: "upnp.enabled", source: `${file}:2`, message: 'expected true, false or "auto"' },
      { key: "upnp.leaseSeconds", source: `${file}:3`, message: "5 is out of range: use 30-604800 seconds" },
      { key: "upnp.descriptionUrl", source: `${file}:4`, message: expect.stringContaining("rootDesc.xml") },
    ]);
  });
});
