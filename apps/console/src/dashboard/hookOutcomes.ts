import type { HookOutcome, TunnelHooks } from "./types.js";

export interface HookLine {
  hook: "command" | "webhook";
  outcome: HookOutcome;
}

/** The hooks that ran, command first: a tunnel configured with only one shows only that one. */
export function hookLines(hooks: TunnelHooks): HookLine[] {
  const lines: HookLine[] = [];
  if (hooks.command) lines.push({ hook: "command", outcome: hooks.command });
  if (hooks.webhook) lines.push({ hook: "webhook", outcome: hooks.webhook });
  return lines;
}
