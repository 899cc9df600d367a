import { spawn } from "node:child_process";
import { chownSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, plainLines, runCli, writeConfig } from "../security/testing/cli-process.js";
import { loopbackOnlyNamespace } from "../testing/netns.js";
import { requireRoot } from "../testing/require-root.js";

/** `autostun serve` refusing tunnels it must not run: the real command, exit code 2, one clear line. */

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

  it("exits 2 naming the tunnel for forward: nftables without root", async () => {
    requireRoot();
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-data-"));
    // The daemon runs as nobody: dataDir must be its own (AutoSTUN refuses a folder others may write).
    chownSync(dataDir, 65534, 65534);
    const { file } = writeConfig(
      `dataDir: ${JSON.stringify(dataDir)}\ntunnels:\n  - id: kernel\n    target: "127.0.0.1:6881"\n    forward: nftables\n`,
    );
    const end = await runCli(["serve", "--config", file], { uid: 65534, gid: 65534 });
    expect(end.code).toBe(2);
    const said = plainLines(end.stderr).join("\n");
    expect(said).toMatch(/tunnel "kernel": forward: nftables needs root \(or CAP_NET_ADMIN/);
    expect(said).toContain('forward: "userspace"');
  });

  it("runs forward: nftables as an ordinary user that holds CAP_NET_ADMIN, as the systemd unit grants it", async () => {
    requireRoot();
    const ns = loopbackOnlyNamespace();
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-data-"));
    // The daemon runs as nobody: dataDir must be its own (AutoSTUN refuses a folder others may write).
    chownSync(dataDir, 65534, 65534);
    const { file } = writeConfig(
      // Nothing answers on 127.0.0.1:3478 in the new namespace: the tunnel keeps retrying, which is fine.
      `dataDir: ${JSON.stringify(dataDir)}\napi: { listen: "127.0.0.1:0" }\nchecks: { runOnStart: false }\n` +
        `stun: { udp: [], tcp: ["127.0.0.1:3478"] }\n` +
        `tunnels:\n  - id: kernel\n    target: "127.0.0.1:6881"\n    forward: nftables\n`,
    );
    // The same user as the refusal above, now with the one capability the unit's AmbientCapabilities adds.
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        ns.name,
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=+net_admin",
        "--ambient-caps=+net_admin",
        process.execPath,
        BIN,
        "serve",
        "--config",
        file,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const closed = new Promise((resolve) => child.once("close", resolve));
    try {
      await expect
        .poll(() => (child.exitCode === null ? stdout : `exited ${child.exitCode}: ${stderr}`), {
          timeout: 45_000,
        })
        .toContain("AutoSTUN console");
      expect(plainLines(stderr).join("\n")).not.toContain("needs root");
    } finally {
      child.kill("SIGTERM");
      await closed;
      ns.dispose();
    }
  });
});
