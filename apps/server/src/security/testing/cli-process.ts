import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tokenOfConfig } from "../../testing/daemon-token.js";
import { rememberToken } from "../../testing/known-tokens.js";

/** The real `autostun` command, as a user runs it. */
export const BIN = fileURLToPath(new URL("../../../bin/autostun.mjs", import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Run as this user and group (needs root): root passes every permission check, other users do not. */
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** Start under this umask (through a shell), e.g. 0o022 as a login shell outside systemd has. */
  umask?: number;
}

/** Starts `autostun ARGS` with its output collected. */
export function startCli(args: string[], options: CliOptions = {}) {
  const [command, argv] =
    options.umask === undefined
      ? [process.execPath, [BIN, ...args]]
      : [
          "/bin/sh",
          [
            "-c",
            `umask ${options.umask.toString(8).padStart(3, "0")} && exec "$0" "$@"`,
            process.execPath,
            BIN,
            ...args,
          ],
        ];
  const child = spawn(command, argv, {
    env: { ...process.env, LANG: "C", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, ...output }));
  });
  return { child, output, finished };
}

/** Runs `autostun ARGS` to the end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<Finished> {
  return startCli(args, options).finished;
}

/** A running `autostun serve`, once it printed its URL. */
export interface Serving {
  child: ChildProcess;
  url: string;
  /** The API token the daemon runs with: api.token from the config, else its `<dataDir>/api-token`. */
  token: string;
  /** `{ authorization: "Bearer …" }` for requests that must pass. */
  auth: { authorization: string };
  output: { stdout: string; stderr: string };
  finished: Promise<Finished>;
}

/** Starts `autostun serve --config FILE` and waits until it says where it serves, or fails if it ends first. */
export async function serve(configFile: string, options: CliOptions = {}): Promise<Serving> {
  const started = startCli(["serve", "--config", configFile], options);
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /AutoSTUN console: (\S+)/.exec(started.output.stdout);
      if (found?.[1]) resolve(found[1]);
    };
    started.child.stdout?.on("data", look);
    void started.finished.then((end) =>
      reject(new Error(`serve ended before it served (exit ${end.code}): ${end.stderr}`)),
    );
  });
  const token = tokenOfConfig(configFile, { ...process.env, ...options.env });
  rememberToken(url, token);
  return { ...started, url, token, auth: { authorization: `Bearer ${token}` } };
}

const SAFE_DEFAULTS = {
  api: '{ listen: "127.0.0.1:0" }',
  stun: "{ udp: [], tcp: [] }",
  checks: "{ runOnStart: false, intervalSeconds: 0 }",
  plugins: "{ dirs: [] }",
};

/**
 * A config that keeps the daemon off the network (no STUN servers, no run at start, a free loopback port)
 * with its own temp folder, readable by every user so a test can run the CLI as another one. A top-level
 * key that `yaml` sets replaces the safe one.
 */
export function writeConfig(yaml: string | Buffer, folder = mkdtempSync(join(tmpdir(), "autostun-start-"))) {
  chmodSync(folder, 0o755);
  const file = join(folder, "autostun.yaml");
  const text = Buffer.isBuffer(yaml) ? yaml.toString("latin1") : yaml;
  const safe = Object.entries(SAFE_DEFAULTS)
    .filter(([key]) => !new RegExp(`^${key}:`, "m").test(text))
    .map(([key, value]) => `${key}: ${value}\n`)
    .join("");
  writeFileSync(file, Buffer.concat([Buffer.from(safe), Buffer.isBuffer(yaml) ? yaml : Buffer.from(yaml)]));
  chmodSync(file, 0o644);
  return { folder, file };
}

/** stderr without the daemon's JSON log lines: what a user reads as the program's own words. */
export function plainLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"));
}

/** The daemon's JSON log lines from stderr. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
