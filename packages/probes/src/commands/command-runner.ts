import { execFile } from "node:child_process";
import type { CommandResult, CommandRunner } from "@autostun/plugins-api";

/** Options of {@link createCommandRunner}. */
export interface CommandRunnerOptions {
  /** Run every program inside this network namespace (`ip netns exec NS …`); Linux, root only. */
  netns?: string;
  /** Used when a call gives no timeout. */
  defaultTimeoutMs?: number;
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs programs with `execFile` (never a shell, so arguments are never re-parsed) and reports every
 * failure in the result instead of throwing: checks must tell "not installed" (`ENOENT`) from "denied"
 * from "timed out" to give the right guidance.
 */
export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const { netns, defaultTimeoutMs = 10_000 } = options;
  return {
    run(file, args, callOptions = {}) {
      const argv = netns ? ["netns", "exec", netns, file, ...args] : [...args];
      const program = netns ? "ip" : file;
      const timeout = callOptions.timeoutMs ?? defaultTimeoutMs;
      return new Promise<CommandResult>((done) => {
        if (callOptions.signal?.aborted) {
          done({ exitCode: undefined, stdout: "", stderr: "", error: "ABORTED" });
          return;
        }
        let child: ReturnType<typeof execFile>;
        try {
          child = execFile(
            program,
            argv,
            {
              timeout,
              maxBuffer: MAX_OUTPUT_BYTES,
              windowsHide: true,
              encoding: "utf8",
              ...(callOptions.signal ? { signal: callOptions.signal } : {}),
            },
            (error, stdout, stderr) => {
              const out = String(stdout ?? "");
              const err = String(stderr ?? "");
              if (!error) {
                done({ exitCode: 0, stdout: out, stderr: err });
                return;
              }
              done(describeFailure(error, out, err, Boolean(netns)));
            },
          );
        } catch (error) {
          done({ exitCode: undefined, stdout: "", stderr: String(error), error: "SPAWN" });
          return;
        }
        child.stdin?.on("error", () => {});
        if (callOptions.input !== undefined) child.stdin?.end(callOptions.input);
        else child.stdin?.end();
      });
    },
  };
}

interface ExecFailure extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

function describeFailure(
  error: ExecFailure,
  stdout: string,
  stderr: string,
  inNetns: boolean,
): CommandResult {
  if (error.name === "AbortError") return { exitCode: undefined, stdout, stderr, error: "ABORTED" };
  if (typeof error.code === "string") return { exitCode: undefined, stdout, stderr, error: error.code };
  if (error.killed) return { exitCode: undefined, stdout, stderr, error: "TIMEOUT" };
  const exitCode = typeof error.code === "number" ? error.code : undefined;
  // `ip netns exec` reports a missing program as its own non-zero exit; map it back so checks see ENOENT
  // the same way inside and outside a namespace.
  if (inNetns && exitCode !== 0 && /exec of ".*" failed: No such file or directory/.test(stderr))
    return { exitCode: undefined, stdout, stderr, error: "ENOENT" };
  return { exitCode, stdout, stderr };
}
