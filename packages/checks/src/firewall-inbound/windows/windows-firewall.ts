import type { CommandRunner } from "@autostun/plugins-api";
import { powershellCommand } from "@autostun/probes";
import { type LayerDecision, portListHas } from "../model.js";

/** The Windows Firewall state the check reads: profiles, which are in use, and enabled inbound rules. */
export interface WindowsFirewallState {
  profiles: Array<{ name: string; enabled: boolean; defaultInboundAction: string }>;
  activeCategories: string[];
  rules: Array<{
    name: string;
    action: string;
    profile: string;
    program: string;
    protocol: string;
    localPort: string;
  }>;
}

// Filters are read in one pipeline per kind; both come back in the order of the rules they belong to.
const SCRIPT = [
  "$ErrorActionPreference='SilentlyContinue';",
  "$p=@(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {[pscustomobject]@{name=[string]$_.Name;enabled=[bool]$_.Enabled;defaultInboundAction=[string]$_.DefaultInboundAction}});",
  "$c=@(Get-NetConnectionProfile | ForEach-Object {[string]$_.NetworkCategory});",
  "$r=@(Get-NetFirewallRule -Direction Inbound -Enabled True -PolicyStore ActiveStore);",
  "$pf=@($r | Get-NetFirewallPortFilter); $af=@($r | Get-NetFirewallApplicationFilter);",
  "$rules=for($i=0;$i -lt $r.Count;$i++){[pscustomobject]@{name=[string]$r[$i].DisplayName;action=[string]$r[$i].Action;profile=[string]$r[$i].Profile;program=[string]$af[$i].Program;protocol=[string]$pf[$i].Protocol;localPort=(@($pf[$i].LocalPort) -join ',')}};",
  "[pscustomobject]@{profiles=$p;activeCategories=$c;rules=@($rules)} | ConvertTo-Json -Depth 4 -Compress",
].join(" ");

export const WINDOWS_FIREWALL_COMMAND = powershellCommand(SCRIPT);

export async function readWindowsFirewall(
  runner: CommandRunner,
  signal: AbortSignal,
): Promise<{ state?: WindowsFirewallState; problem?: string }> {
  const [file, ...args] = WINDOWS_FIREWALL_COMMAND;
  const result = await runner.run(file, args, { signal, timeoutMs: 20_000 });
  if (result.error || result.exitCode !== 0)
    return {
      problem: `powershell: ${result.error ?? `exit ${result.exitCode}`} ${result.stderr.trim()}`.trim(),
    };
  try {
    const raw = JSON.parse(result.stdout.replace(/^\uFEFF/, "")) as Partial<
      Record<keyof WindowsFirewallState, unknown>
    >;
    const list = <T>(v: unknown): T[] => (Array.isArray(v) ? v : v ? [v] : []) as T[];
    return {
      state: {
        profiles: list(raw.profiles),
        activeCategories: list<string>(raw.activeCategories),
        rules: list(raw.rules),
      },
    };
  } catch {
    return { problem: "powershell printed something that is not JSON" };
  }
}

const CATEGORY_TO_PROFILE: Record<string, string> = {
  Public: "Public",
  Private: "Private",
  DomainAuthenticated: "Domain",
};

/**
 * Judges each profile in use as Windows does: a matching block rule beats any allow rule, a matching
 * allow rule (for our program or any program) admits, otherwise the profile's default inbound action.
 */
export function evaluateWindows(state: WindowsFirewallState, port: number, program: string): LayerDecision[] {
  const inUse = new Set(state.activeCategories.map((c) => CATEGORY_TO_PROFILE[c] ?? c));
  const profiles = state.profiles.filter((p) => inUse.size === 0 || inUse.has(p.name));
  return profiles.map((profile) => {
    const layer = `Windows Firewall profile ${profile.name}`;
    if (!profile.enabled) return { layer, verdict: "accept", decidedBy: "profile disabled" };
    const matching = state.rules.filter((rule) => ruleCovers(rule, profile.name, port, program));
    const block = matching.find((r) => r.action === "Block");
    if (block) return { layer, verdict: "drop", decidedBy: `block rule "${block.name}"` };
    const allow = matching.find((r) => r.action === "Allow");
    if (allow) return { layer, verdict: "accept", decidedBy: `allow rule "${allow.name}"` };
    const action = profile.defaultInboundAction === "Allow" ? "accept" : "drop";
    return {
      layer,
      verdict: action,
      decidedBy: `default inbound action ${profile.defaultInboundAction || "Block"}`,
    };
  });
}

function ruleCovers(
  rule: WindowsFirewallState["rules"][number],
  profile: string,
  port: number,
  program: string,
): boolean {
  const profiles = rule.profile.split(",").map((p) => p.trim());
  if (!profiles.includes("Any") && !profiles.includes(profile)) return false;
  if (!["Any", "TCP", "6"].includes(rule.protocol)) return false;
  if (rule.localPort && rule.localPort !== "Any" && !portListHas(rule.localPort, port)) return false;
  return !rule.program || rule.program === "Any" || rule.program.toLowerCase() === program.toLowerCase();
}

export function windowsAllowCommand(port: number, program: string): string[] {
  return [
    "netsh",
    "advfirewall",
    "firewall",
    "add",
    "rule",
    `name=AutoSTUN ${port}`,
    "dir=in",
    "action=allow",
    `program=${program}`,
    "protocol=TCP",
    `localport=${port}`,
    "enable=yes",
  ];
}

export function windowsRemoveCommand(port: number): string[] {
  return ["netsh", "advfirewall", "firewall", "delete", "rule", `name=AutoSTUN ${port}`];
}
