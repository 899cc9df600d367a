import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Ids of the checks the fixture plugin contributes. */
export const FIXTURE = {
  fixable: "fixture.fixable",
  failing: "fixture.failing",
  broken: "fixture.broken",
} as const;

/** A plugin folder for the daemon's `plugins.dirs`, and the file its remedy creates. */
export interface FixturePlugin {
  pluginsDir: string;
  markerFile: string;
}

// Plain JavaScript, loaded by the daemon like any third-party plugin: a warning that a remedy fixes
// (by creating a file in the plugin's own temporary folder), a failure with guidance and facts, and a
// check that throws, so the page shows WARN, FAIL and ERROR whatever the built-in checks say here.
const MODULE = `
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const marker = fileURLToPath(new URL("./fixed", import.meta.url));

export function activate(context) {
  context.registerCheck("${FIXTURE.fixable}", {
    async run() {
      if (existsSync(marker)) return { status: "PASS", summary: { en: "The marker file exists.", "zh-CN": "标记文件已存在。" } };
      return {
        status: "WARN",
        summary: { en: "The marker file is missing.", "zh-CN": "缺少标记文件。" },
        facts: { marker },
        guidance: {
          title: { en: "Create the marker file", "zh-CN": "创建标记文件" },
          steps: [{ en: "Use the fix below, or run its command yourself.", "zh-CN": "使用下面的修复，或自己运行其命令。" }],
        },
        remedies: [{
          id: "create-marker",
          title: { en: "Create marker file", "zh-CN": "创建标记文件" },
          description: { en: "Writes an empty file into the fixture's temporary folder.", "zh-CN": "在测试插件的临时目录中写入一个空文件。" },
          commands: ["touch " + marker],
          requiresRoot: false,
        }],
      };
    },
    async applyRemedy(remedyId) {
      if (remedyId !== "create-marker") return { ok: false, message: "unknown remedy " + remedyId };
      writeFileSync(marker, "");
      return { ok: true, message: { en: "Marker file created.", "zh-CN": "已创建标记文件。" } };
    },
  });

  context.registerCheck("${FIXTURE.failing}", {
    async run() {
      return {
        status: "FAIL",
        summary: { en: "Measured 3 where 1 is needed.", "zh-CN": "测得 3，需要 1。" },
        facts: { measured: 3, wanted: 1 },
        guidance: {
          title: { en: "Bring the value down to 1", "zh-CN": "把数值降到 1" },
          steps: [
            { en: "Open the fixture's settings.", "zh-CN": "打开测试插件的设置。" },
            { en: "Set the value to 1.", "zh-CN": "将数值设为 1。" },
            { en: "Run the checks again.", "zh-CN": "重新运行检查。" },
          ],
          docs: "https://docs.invalid/fixture-failing",
        },
      };
    },
  });

  context.registerCheck("${FIXTURE.broken}", {
    async run() {
      throw new Error("the fixture check threw on purpose");
    },
  });
}
`;

const MANIFEST = {
  name: "autostun-plugin-console-fixture",
  version: "1.0.0",
  private: true,
  type: "module",
  main: "index.js",
  autostun: {
    displayName: "Console test fixture",
    engines: { autostun: "^1.0.0" },
    activationEvents: ["onStartup"],
    contributes: {
      checks: [
        { id: FIXTURE.fixable, title: "Test fixture: fixable warning", category: "system" },
        { id: FIXTURE.failing, title: "Test fixture: failing check", category: "system" },
        { id: FIXTURE.broken, title: "Test fixture: check that throws", category: "system" },
      ],
    },
  },
};

/** Writes the fixture plugin into a fresh temporary folder. */
export async function writeFixturePlugin(): Promise<FixturePlugin> {
  const pluginsDir = await mkdtemp(join(tmpdir(), "autostun-console-e2e-plugins-"));
  const pluginDir = join(pluginsDir, "console-fixture");
  await mkdir(pluginDir);
  await writeFile(join(pluginDir, "package.json"), `${JSON.stringify(MANIFEST, null, 2)}\n`, "utf8");
  await writeFile(join(pluginDir, "index.js"), MODULE, "utf8");
  return { pluginsDir, markerFile: join(pluginDir, "fixed") };
}
