import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { judge } from "./index.js";

const EXAMPLES = fileURLToPath(new URL("../..", import.meta.url));
const BIN = fileURLToPath(new URL("../../../apps/server/bin/autostun.mjs", import.meta.url));

function doctor(config: string) {
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, "doctor", "--json", "--check", "example.disk-space", "--config", config],
      (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
    );
  });
}

describe("the example plugin", () => {
  it("warns with steps when the disk is nearly full", () => {
    const result = judge("/downloads", 2 * 1024 ** 3, 5);
    expect(result.status).toBe("WARN");
    expect(localize(result.summary, "zh-CN")).toBe("/downloads 仅剩 2 GiB（建议至少 5 GiB）");
    expect(result.guidance?.steps[0]).toMatchObject({
      en: expect.stringContaining("du -xh --max-depth=1 /downloads"),
    });
  });

  it("is loaded by the daemon from a plugins dir, built, through its manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autostun-example-"));
    const config = join(dir, "autostun.yaml");
    const write = (path: string, minFreeGiB: number) =>
      writeFileSync(
        config,
        `stun: { udp: [], tcp: [] }\nplugins:\n  dirs: [${EXAMPLES}]\n  config:\n    autostun-plugin-example: { path: "${path}", minFreeGiB: ${minFreeGiB} }\n`,
      );
    write(dir, 0.001);
    const ok = await doctor(config);
    expect(ok.code).toBe(0);
    const [check] = JSON.parse(ok.stdout).checks;
    expect(check).toMatchObject({
      id: "example.disk-space",
      status: "PASS",
      facts: { path: dir, exists: true },
    });

    write(join(dir, "missing"), 1);
    const missing = await doctor(config);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).checks[0]).toMatchObject({
      status: "FAIL",
      guidance: { steps: [`Create the folder: mkdir -p ${join(dir, "missing")}`, expect.any(String)] },
    });
  });
});
