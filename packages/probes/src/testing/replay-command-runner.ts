import type { CommandResult, CommandRunner } from "@autostun/plugins-api";

/** One recorded run of a program, as kept in a fixture's `commands.json`. */
export interface RecordedCommand {
  /** The exact command line, program and arguments joined by single spaces. */
  command?: string;
  /** Matches any command line starting with this (for long PowerShell scripts). */
  startsWith?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
}

/** A {@link CommandRunner} that answers from recordings and keeps every command line it was asked. */
export interface ReplayCommandRunner extends CommandRunner {
  readonly calls: string[];
}

/**
 * Replays recorded outputs. A program with no recording answers like one that is not installed
 * (`ENOENT`), which is what a host without that tool really says.
 */
export function createReplayCommandRunner(recordings: readonly RecordedCommand[]): ReplayCommandRunner {
  const calls: string[] = [];
  return {
    calls,
    async run(file, args) {
      const line = [file, ...args].join(" ");
      calls.push(line);
      const hit =
        recordings.find((r) => r.command === line) ??
        recordings.find((r) => r.startsWith !== undefined && line.startsWith(r.startsWith));
      if (!hit) return { exitCode: undefined, stdout: "", stderr: "", error: "ENOENT" };
      const result: CommandResult = {
        exitCode: hit.error ? undefined : (hit.exitCode ?? 0),
        stdout: hit.stdout ?? "",
        stderr: hit.stderr ?? "",
      };
      if (hit.error) result.error = hit.error;
      return result;
    },
  };
}
