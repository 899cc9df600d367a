import type { CommandRunner } from "@autostun/plugins-api";
import { powershellCommand } from "@autostun/probes";

/** One entry of Windows Security Center (`root/SecurityCenter2`). */
export interface SecurityCenterEntry {
  displayName: string;
  /** `AntiVirusProduct` or `FirewallProduct`. */
  role: "antivirus" | "firewall";
  productState: number | null;
  /** Real-time protection on, from bits 12–15 of productState (0x1000). */
  enabled: boolean | null;
  path: string | null;
}

export interface SecurityCenterReading {
  entries: SecurityCenterEntry[];
  /** Why nothing could be read (PowerShell missing, Windows Server without Security Center…). */
  problem?: string;
}

// One PowerShell run for both classes keeps the check within its timeout on slow machines.
const SCRIPT = [
  "$ErrorActionPreference='SilentlyContinue';",
  "$av=@(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct | Select-Object displayName,productState,pathToSignedProductExe);",
  "$fw=@(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName FirewallProduct | Select-Object displayName,productState,pathToSignedProductExe);",
  "[pscustomobject]@{antivirus=$av;firewall=$fw} | ConvertTo-Json -Depth 3 -Compress",
].join(" ");

/** The PowerShell command line used, exported so fixtures can record its output. */
export const SECURITY_CENTER_COMMAND = powershellCommand(SCRIPT);

export async function readSecurityCenter(
  runner: CommandRunner,
  signal: AbortSignal,
): Promise<SecurityCenterReading> {
  const [file, ...args] = SECURITY_CENTER_COMMAND;
  const result = await runner.run(file, args, { signal, timeoutMs: 12_000 });
  if (result.error || result.exitCode !== 0)
    return {
      entries: [],
      problem: `powershell: ${result.error ?? `exit ${result.exitCode}`} ${result.stderr.trim()}`.trim(),
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout.replace(/^\uFEFF/, ""));
  } catch {
    return { entries: [], problem: "powershell printed something that is not JSON" };
  }
  const root = (parsed ?? {}) as { antivirus?: unknown; firewall?: unknown };
  return {
    entries: [...toEntries(root.antivirus, "antivirus"), ...toEntries(root.firewall, "firewall")],
  };
}

function toEntries(value: unknown, role: SecurityCenterEntry["role"]): SecurityCenterEntry[] {
  // ConvertTo-Json turns a one-element array into a bare object.
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((raw) => {
    const item = raw as { displayName?: unknown; productState?: unknown; pathToSignedProductExe?: unknown };
    if (typeof item.displayName !== "string") return [];
    const state = typeof item.productState === "number" ? item.productState : null;
    return [
      {
        displayName: item.displayName,
        role,
        productState: state,
        enabled: state === null ? null : (state & 0xf000) === 0x1000,
        path: typeof item.pathToSignedProductExe === "string" ? item.pathToSignedProductExe : null,
      },
    ];
  });
}
