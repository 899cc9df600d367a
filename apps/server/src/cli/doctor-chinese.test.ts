import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { latinSentences } from "../testing/latin-text.js";
import { loopbackOnlyNamespace } from "../testing/netns.js";
import { writePlugins } from "../testing/plugins.js";

const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));
// Nothing but loopback: the default (public) STUN servers are named in the config and reach nobody.
const netns = loopbackOnlyNamespace();
afterAll(() => netns.dispose());

function doctorInNamespace(config: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      "ip",
      ["netns", "exec", netns.name, process.execPath, BIN, "doctor", "--config", config],
      { env: { ...process.env, LANG: "zh_CN.UTF-8", LC_ALL: "", LC_MESSAGES: "" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("autostun doctor for a Chinese terminal with no STUN server in reach", () => {
  it("prints no English sentence: only names, commands, ids and addresses stay in Latin script", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autostun-zh-"));
    const config = join(dir, "autostun.yaml");
    // Plugins that break in the ways the daemon words itself: refused for its engine range, and a hang.
    const plugins = writePlugins([
      { name: "too-new", engines: "^2.0.0", checks: [{ id: "toonew.check" }], activate: "" },
      {
        name: "hangs",
        checks: [{ id: "hangs.check", timeoutMs: 300 }],
        activate: `context.registerCheck("hangs.check", { run: () => new Promise(() => {}) });`,
      },
    ]);
    // The STUN servers stay the embedded defaults: only dataDir and the plugins are set.
    writeFileSync(config, `dataDir: ${join(dir, "data")}\nplugins:\n  dirs: [${plugins}]\n`);
    const result = await doctorInNamespace(config);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("NAT");
    expect(result.stdout).toMatch(/\[☠\] toonew\.check \(检查本身出错\): 插件 too-new 要求的插件接口版本为/);
    expect(result.stdout).toMatch(/\[☠\] hangs\.check \(检查本身出错\): 检查在 300 毫秒内没有完成/);
    expect(result.stdout.split("\n").flatMap((line) => latinSentences(line))).toEqual([]);
  });
});
