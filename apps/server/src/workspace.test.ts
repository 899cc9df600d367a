import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const packages = readdirSync(`${repo}packages`).sort();

describe("the workspace", () => {
  it("runs every package's tests: each package is a Vitest project", () => {
    const config = readFileSync(`${repo}vitest.config.ts`, "utf8");
    const missing = packages.filter((name) => !config.includes(`"packages/${name}"`));
    expect(missing).toEqual([]);
  });

  it("gives every package a README saying what it is for", () => {
    const missing = packages.filter((name) => !readdirSync(`${repo}packages/${name}`).includes("README.md"));
    expect(missing).toEqual([]);
  });

  it("lets no package depend on apps/server: the daemon composes packages, never the reverse", () => {
    const offenders = packages.filter((name) => {
      const manifest = readFileSync(`${repo}packages/${name}/package.json`, "utf8");
      return manifest.includes('"@autostun/server"') || manifest.includes('"@autostun/console"');
    });
    expect(offenders).toEqual([]);
  });
});
