import type { CommandRunner } from "@autostun/plugins-api";
import type { LayerDecision } from "../model.js";

export const SOCKETFILTERFW = "/usr/libexec/ApplicationFirewall/socketfilterfw";

export interface MacFirewallState {
  enabled: boolean | null;
  blockAll: boolean | null;
  /** `blocked`, `permitted`, or null when the firewall does not know the program. */
  program: "blocked" | "permitted" | null;
  raw: Record<string, string>;
}

/** Reads the application firewall's global state, block-all mode and its entry for our program. */
export async function readMacFirewall(runner: CommandRunner, program: string, signal: AbortSignal) {
  const raw: Record<string, string> = {};
  const ask = async (...args: string[]) => {
    const result = await runner.run(SOCKETFILTERFW, args, { signal, timeoutMs: 5_000 });
    const text = result.error ? `error ${result.error}` : result.stdout.trim();
    raw[args.join(" ")] = text;
    return result.error ? undefined : text;
  };
  const global = await ask("--getglobalstate");
  if (global === undefined) return { problem: `socketfilterfw: ${raw["--getglobalstate"]}` };
  const blockAll = await ask("--getblockall");
  const app = await ask("--getappblocked", program);
  const state: MacFirewallState = {
    enabled: /enabled|State = [12]/i.test(global) ? true : /disabled|State = 0/i.test(global) ? false : null,
    blockAll:
      blockAll === undefined
        ? null
        : /\b(enabled|ENABLED|on)\b/.test(blockAll) && !/disabled/i.test(blockAll),
    program:
      app === undefined
        ? null
        : /\bblocked\b/i.test(app)
          ? "blocked"
          : /permitted|allowed/i.test(app)
            ? "permitted"
            : null,
    raw,
  };
  return { state };
}

/** Accepted when the firewall is off or our program is permitted; dropped when block-all is on or we are blocked. */
export function evaluateMac(state: MacFirewallState): LayerDecision | "unknown" {
  const layer = "macOS application firewall";
  if (state.enabled === false) return { layer, verdict: "accept", decidedBy: "firewall disabled" };
  if (state.blockAll) return { layer, verdict: "drop", decidedBy: "block all incoming connections is on" };
  if (state.program === "blocked")
    return { layer, verdict: "drop", decidedBy: "our program is set to block incoming" };
  if (state.program === "permitted")
    return { layer, verdict: "accept", decidedBy: "our program is permitted" };
  return "unknown";
}

export function macAllowCommands(program: string): string[][] {
  return [
    [SOCKETFILTERFW, "--add", program],
    [SOCKETFILTERFW, "--unblockapp", program],
  ];
}
