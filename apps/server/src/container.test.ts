import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@autostun/config";
import { Services as PluginServices } from "@autostun/plugins-api";
import { createRootLogger } from "@autostun/runtime";
import { openDatabase } from "@autostun/store";
import { afterAll, describe, expect, it } from "vitest";
import { buildContainer } from "./container.js";
import { Tokens } from "./tokens.js";

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const config = loadConfig({ env: {} }).config;
config.plugins = { dirs: [], config: {} };
const database = openDatabase(":memory:");
const container = buildContainer({
  config,
  logger: createRootLogger("error", quiet),
  database,
  api: { token: "x".repeat(32), file: undefined },
});
afterAll(async () => {
  await container.get(Tokens.ExtensionHost).dispose();
  database.close();
});

describe("the daemon's container", () => {
  it("makes every service it has a token for, each once", () => {
    for (const [name, token] of Object.entries(Tokens)) {
      const first = container.resolve(token);
      expect(first, name).toBeDefined();
      expect(container.resolve(token), name).toBe(first);
    }
    for (const [name, token] of Object.entries(PluginServices))
      expect(container.resolve(token), `Services.${name}`).toBeDefined();
  });

  it("is sealed once built: it resolves, and offers no way to register", () => {
    expect(Object.keys(container).sort()).toEqual(["get", "resolve"]);
  });

  it("is keyed only by typed tokens: no string or ad-hoc symbol keys in apps/server", () => {
    const src = fileURLToPath(new URL(".", import.meta.url));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          entry.name.endsWith(".ts") &&
          !entry.name.endsWith(".test.ts") &&
          entry.name !== "tokens.ts"
        ) {
          const text = readFileSync(path, "utf8");
          if (/\.register(<[^>]*>)?\(\s*["'`]|@inject\(\s*["'`]|Symbol\.for\(/.test(text))
            offenders.push(path);
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
  });
});
