/** A PowerShell invocation that reads without profiles or prompts, for one script passed inline. */
export function powershellCommand(script: string): readonly [string, ...string[]] {
  return ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script];
}
