import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createCommandRunner, createHostInfo, createNetworkInfo, createSystemFiles } from "./index.js";

const HOST_FIXTURES = new URL("../fixtures/host/", import.meta.url).pathname;

describe("createSystemFiles", () => {
  const root = mkdtempSync(join(tmpdir(), "autostun-files-"));
  mkdirSync(join(root, "proc/1"), { recursive: true });
  writeFileSync(join(root, "proc/1/cgroup"), "0::/docker/abc\n");
  writeFileSync(join(tmpdir(), "autostun-outside.txt"), "secret");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads absolute paths under the root and lists folders", async () => {
    const files = createSystemFiles(root);
    expect(await files.readText("/proc/1/cgroup")).toBe("0::/docker/abc\n");
    expect(await files.exists("/proc/1")).toBe(true);
    expect(await files.list("/proc")).toEqual(["1"]);
  });

  it("answers missing for absent files and for paths that climb out of the root", async () => {
    const files = createSystemFiles(root);
    expect(await files.readText("/nope")).toBeUndefined();
    expect(await files.list("/nope")).toEqual([]);
    expect(await files.readText("/../autostun-outside.txt")).toBeUndefined();
    expect(await files.exists("relative/path")).toBe(false);
  });

  it("reads this machine's live /proc files", async () => {
    const text = await createSystemFiles().readText("/proc/self/status");
    expect(text).toMatch(/^Name:/m);
  });
});

describe("createCommandRunner", () => {
  const runner = createCommandRunner();

  it("returns output and exit codes without a shell", async () => {
    const ok = await runner.run("echo", ["$HOME", "a b"]);
    expect(ok).toMatchObject({ exitCode: 0, stdout: "$HOME a b\n" });
    const failed = await runner.run("sh", ["-c", "echo bad >&2; exit 3"]);
    expect(failed).toMatchObject({ exitCode: 3, stderr: "bad\n" });
    expect(failed.error).toBeUndefined();
  });

  it("reports a missing program as ENOENT instead of throwing", async () => {
    const result = await runner.run("autostun-no-such-program", []);
    expect(result).toMatchObject({ exitCode: undefined, error: "ENOENT" });
  });

  it("stops a program past its timeout and says so", async () => {
    const result = await runner.run("sleep", ["5"], { timeoutMs: 100 });
    expect(result.error).toBe("TIMEOUT");
  });

  it("feeds standard input", async () => {
    expect((await runner.run("cat", [], { input: "ruleset" })).stdout).toBe("ruleset");
  });

  it("runs inside a network namespace when asked", async () => {
    const ns = `autostun-probe-${process.pid}-${Date.now().toString(36)}`;
    execFileSync("ip", ["netns", "add", ns]);
    try {
      const inside = createCommandRunner({ netns: ns });
      const links = await inside.run("ip", ["-o", "link", "show"]);
      // A fresh namespace has only its loopback device.
      expect(links.stdout.trim().split("\n")).toHaveLength(1);
      expect(links.stdout).toContain("lo:");
      expect((await inside.run("autostun-no-such-program", [])).error).toBe("ENOENT");
    } finally {
      execFileSync("ip", ["netns", "del", ns]);
    }
  });
});

describe("host and network probes", () => {
  it("describe this process", async () => {
    const host = createHostInfo();
    expect(host.platform).toBe(existsSync("/etc.defaults/VERSION") ? "dsm" : process.platform);
    expect(host.isPrivileged).toBe(process.getuid?.() === 0);
    const addresses = await createNetworkInfo().addresses();
    expect(addresses.some((a) => a.internal && a.address === "127.0.0.1")).toBe(true);
  });
});

describe("createHostInfo on Synology DSM", () => {
  const on = (fixture: string, platform: NodeJS.Platform = "linux") =>
    createHostInfo({ root: `${HOST_FIXTURES}${fixture}/root`, platform }).platform;

  it("reports dsm when /etc.defaults/VERSION names DSM, or only /etc/synoinfo.conf is there", () => {
    expect(on("dsm-7")).toBe("dsm");
    expect(on("dsm-synoinfo-only")).toBe("dsm");
  });

  it("reports the kernel's platform on an ordinary Linux and never turns another OS into dsm", () => {
    expect(on("debian")).toBe("linux");
    expect(on("dsm-7", "darwin")).toBe("darwin");
  });
});
