import { spawn } from "node:child_process";

/** A program to run, as an argument list (no shell, so no quoting or injection through addresses). */
export interface CommandHook {
  argv: readonly string[];
  timeoutMs?: number;
}

export interface HookOutcome {
  ok: boolean;
  /** What went wrong, in one line: exit code, signal, not found, timed out, HTTP status. */
  error?: string;
  /** The end of what the command printed on stderr, to show beside the error. */
  output?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL = 2000;

/**
 * The daemon's environment as a hook sees it: every `AUTOSTUN_*` variable is left out, since that is
 * where the daemon's own settings live (AUTOSTUN_API_TOKEN and the rest); the hook gets only the
 * AUTOSTUN_ variables of its event, added by the caller.
 */
export function hookBaseEnvironment(daemonEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(daemonEnv))
    if (value !== undefined && !name.toUpperCase().startsWith("AUTOSTUN_")) kept[name] = value;
  return kept;
}

/**
 * Runs the command with `env` added to the daemon's environment (without its AUTOSTUN_ settings); a
 * failure is an outcome, never a throw.
 */
export function runCommandHook(hook: CommandHook, env: Record<string, string>): Promise<HookOutcome> {
  const [file, ...args] = hook.argv;
  if (!file) return Promise.resolve({ ok: false, error: "the hook command is empty" });
  const limit = hook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn(file, args, {
      env: { ...hookBaseEnvironment(), ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limit);
    child.stderr.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
    });
    const finish = (outcome: HookOutcome) => {
      clearTimeout(timer);
      resolve(output.trim() ? { ...outcome, output: output.trim() } : outcome);
    };
    child.once("error", (error: NodeJS.ErrnoException) =>
      finish({ ok: false, error: `${file} could not be started (${error.code ?? error.message})` }),
    );
    child.once("close", (code, signal) => {
      if (timedOut) finish({ ok: false, error: `${file} did not finish within ${limit} ms and was killed` });
      else if (code === 0) finish({ ok: true });
      else
        finish({
          ok: false,
          error: signal ? `${file} was killed by ${signal}` : `${file} exited with code ${code}`,
        });
    });
  });
}
