import { execFile, execFileSync } from "node:child_process";
import type { ExecResult } from "../lab/types.js";

/** Options for {@link run}. */
export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/**
 * Run a program to completion; never throws for a non-zero exit, only reports it.
 * Exit 124 means it was killed at the timeout, 127 that it could not be started.
 */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) {
          if (typeof error.code === "number") code = error.code;
          else if (error.killed) {
            // Same convention as coreutils' timeout(1).
            code = 124;
            stderr = `${stderr}\n(killed after ${opts.timeoutMs ?? 30_000} ms)`;
          } else {
            // The program could not be started at all (e.g. ENOENT).
            code = 127;
            stderr = `${stderr}${error.message}`;
          }
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    // A program that exits before reading its input (socat whose peer is gone) makes this write fail with
    // EPIPE; the exit code already tells the caller what happened, so the write error must not end the process.
    child.stdin?.on("error", () => {});
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Run a program and throw, naming the command and its stderr, when it fails. */
export async function runOrThrow(
  file: string,
  args: readonly string[],
  what: string,
  opts: RunOptions = {},
): Promise<string> {
  const result = await run(file, args, opts);
  if (result.code !== 0) {
    throw new Error(
      `netlab: ${what} failed (exit ${result.code}): ${file} ${args.join(" ")}\n${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** Synchronous variant for exit handlers, where nothing asynchronous runs any more. */
export function runSyncQuiet(file: string, args: readonly string[]): string {
  try {
    return execFileSync(file, [...args], { stdio: ["ignore", "pipe", "ignore"], timeout: 5_000 }).toString();
  } catch {
    // Exit-time cleanup is best effort: the sweeper of the next run removes what is left.
    return "";
  }
}
