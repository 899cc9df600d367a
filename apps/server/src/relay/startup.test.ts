import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plainLines, runCli, writeConfig } from "../security/cli-process.js";

/** `autostun serve` refusing tunnels it must not run: the real command, exit code 2, one clear line. */

const isRoot = process.getuid?.() === 0;

describe("autostun serve with a tunnel it must refuse", () => {
  it("exits 2 naming the tunnel when its target is outside loopback and the LAN", async () => {
    const { file } = writeConfig(`tunnels:\n  - id: open-proxy\n    target: "203.0.113.7:80"\n`);
    const end = await runCli(["serve", "--config", file]);
    expect(end.code).toBe(2);
    const said = plainLines(end.stderr).join("\n");
    expect(said).toContain('"open-proxy"');
    expect(said).toContain("203.0.113.7");
    expect(end.stdout).not.toContain("AutoSTUN console");
  });

  it.skipIf(!isRoot)("exits 2 naming the tunnel for forward: nftables without root", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-data-"));
    chmodSync(dataDir, 0o777);
    const { file } = writeConfig(
      `dataDir: ${JSON.stringify(dataDir)}\ntunnels:\n  - id: kernel\n    target: "127.0.0.1:6881"\n    forward: nftables\n`,
    );
    const end = await runCli(["serve", "--config", file], { uid: 65534, gid: 65534 });
    expect(end.code).toBe(2);
    const said = plainLines(end.stderr).join("\n");
    expect(said).toMatch(/tunnel "kernel": forward: nftables needs root/);
    expect(said).toContain('forward: "userspace"');
  });
});
