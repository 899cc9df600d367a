import type { Logger } from "@autostun/plugins-api";

/** A logger that keeps its lines, so a test can assert on what the user would read in the log. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
