/**
 * The argv for one inline PowerShell script. Profiles and prompts are turned off because a user's
 * profile can print text or wait for input, and either would corrupt the output a probe parses.
 */
export function powershellCommand(script: string): readonly [string, ...string[]] {
  return ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script];
}
