import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverNat } from "@autostun/stun";
import { describe, expect, it } from "vitest";
import { verdict, writePlugins } from "../testing/plugins.js";

const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));

function autostun(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, LANG: "C", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A config with no STUN servers (tests never reach public ones) and only our test plugins. */
function configWith(plugins: Parameters<typeof writePlugins>[0], extra = "") {
  const dir = mkdtempSync(join(tmpdir(), "autostun-cli-"));
  const pluginsDir = writePlugins(plugins);
  const file = join(dir, "autostun.yaml");
  writeFileSync(
    file,
    `dataDir: ${join(dir, "data")}\nstun: { udp: [], tcp: [] }\nplugins:\n  dirs: [${pluginsDir}]\n${extra}`,
  );
  return { file, dataDir: join(dir, "data") };
}

const passing = { name: "p", checks: [{ id: "p.ok" }], activate: verdict("p.ok", "PASS") };
const failing = {
  name: "f",
  checks: [{ id: "f.bad" }],
  activate: `context.registerCheck("f.bad", { async run() { return { status: "FAIL", summary: "port 6881 is closed", facts: { port: 6881 },
    guidance: { title: "Open the port", steps: ["Run: ufw allow 6881/tcp", "Re-run autostun doctor"], docs: "https://example.invalid/doc" } }; } });`,
};

describe("autostun doctor", () => {
  it("prints one JSON object of the contract's shape and exits 0 when nothing fails", async () => {
    const { file } = configWith([passing]);
    const result = await autostun(["doctor", "--json", "--check", "p.ok", "--config", file]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(["checks"]);
    expect(report.checks).toEqual([
      {
        id: "p.ok",
        title: "p.ok",
        status: "PASS",
        summary: "p.ok says PASS",
        facts: { from: "p.ok" },
        guidance: null,
      },
    ]);
  });

  it("exits 1 and prints ✗ with the guidance when a check fails", async () => {
    const { file } = configWith([passing, failing]);
    const result = await autostun(["doctor", "--check", "p.ok", "--check", "f.bad", "--config", file]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("[✓] p.ok: p.ok says PASS");
    expect(lines).toContain("[✗] f.bad: port 6881 is closed");
    expect(result.stdout).toContain("      1. Run: ufw allow 6881/tcp");
    expect(result.stdout).toContain("      2. Re-run autostun doctor");
  });

  it("speaks Chinese when the terminal does", async () => {
    const { file } = configWith([failing]);
    const result = await autostun(["doctor", "--check", "f.bad", "--config", file], { LANG: "zh_CN.UTF-8" });
    expect(result.stdout).toContain("1 项未通过");
  });

  it("runs the environment checks on this machine, each with a verdict and the facts behind it", async () => {
    const { file } = configWith([]);
    const ids = ["docker.network-mode", "firewall.inbound", "antivirus.hints"];
    const result = await autostun([
      "doctor",
      "--json",
      ...ids.flatMap((id) => ["--check", id]),
      "--config",
      file,
    ]);
    const checks = JSON.parse(result.stdout).checks as { id: string; status: string; facts: object }[];
    expect(checks.map((check) => check.id).sort()).toEqual([...ids].sort());
    for (const check of checks) {
      expect(["PASS", "WARN", "FAIL", "SKIP"]).toContain(check.status);
      expect(Object.keys(check.facts).length).toBeGreaterThan(0);
    }
    const text = await autostun(["doctor", ...ids.flatMap((id) => ["--check", id]), "--config", file]);
    expect(text.stdout.split("\n").filter((line) => /^\[[✓!✗-]\] /.test(line))).toHaveLength(3);
  });

  it("exits 2 naming key and line for a malformed config, and writes nothing to dataDir", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autostun-bad-"));
    const file = join(dir, "autostun.yaml");
    writeFileSync(file, `dataDir: ${join(dir, "data")}\napi:\n  listen: 7878\n`);
    const result = await autostun(["doctor", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`api.listen (${file}:3)`);
    expect(existsSync(join(dir, "data"))).toBe(false);
    const serve = await autostun(["serve", "--config", file]);
    expect(serve.code).toBe(2);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("exits 2 for an unknown check id or an unknown flag", async () => {
    const { file } = configWith([passing]);
    const unknown = await autostun(["doctor", "--check", "no.such", "--config", file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown check id: no.such");
    expect((await autostun(["doctor", "--frobnicate"])).code).toBe(2);
  });

  it("has --help for each command", async () => {
    for (const command of ["serve", "doctor", "stun-server"]) {
      const help = await autostun([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: autostun ${command}`);
    }
  });

  it("refuses to serve on a non-loopback address without a token", async () => {
    const { file, dataDir } = configWith([], "api:\n  listen: 0.0.0.0:0\n");
    const result = await autostun(["serve", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("api.token is not set");
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("autostun stun-server", () => {
  it("serves RFC 5780 on two addresses that a discovery can use, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        "stun-server",
        "--primary",
        "127.0.0.1",
        "--alternate",
        "127.0.0.2",
        "--port",
        "0",
        "--alt-port",
        "0",
        "--json",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const ready = await new Promise<{ endpoints: { transport: string; address: string; port: number }[] }>(
      (resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split("\n").find((l) => l.startsWith("{"));
          if (line) resolve(JSON.parse(line));
        });
        child.on("exit", (code) => reject(new Error(`stun-server exited with ${code}`)));
      },
    );
    const primary = (transport: string) =>
      ready.endpoints
        .filter((e) => e.transport === transport && e.address === "127.0.0.1")
        .map((e) => `127.0.0.1:${e.port}`);
    const result = await discoverNat({
      udpServers: primary("udp").slice(0, 1),
      tcpServers: primary("tcp").slice(0, 1),
    });
    expect(result).toMatchObject({
      natType: "OPEN",
      udp: { filtering: "ENDPOINT_INDEPENDENT" },
      tcp: { mapping: "ENDPOINT_INDEPENDENT" },
    });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("the production entry (bin/autostun.mjs)", () => {
  it("says to run the build when the built daemon is missing, instead of a module-not-found trace", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "autostun-unbuilt-"));
    mkdirSync(join(checkout, "bin"));
    copyFileSync(BIN, join(checkout, "bin/autostun.mjs"));
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(checkout, "bin/autostun.mjs"), "serve"], (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      ),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the built daemon is missing (${join(checkout, "dist/autostun.mjs")})`);
    expect(run.stderr).toContain("run `npm run build`");
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
  });
});
