import { execFileSync } from "node:child_process";
import type { HostInfo } from "@autostun/plugins-api";
import { isSynologyDsm } from "./synology.js";

/** Options of {@link createHostInfo}; tests replace the host's files and platform with a fixture's. */
export interface HostInfoOptions {
  /** Root of the host's files (a fixture folder in tests). */
  root?: string;
  /** The kernel's platform as Node names it. */
  platform?: NodeJS.Platform;
}

/**
 * This host's platform and whether it can change the firewall (root, or an elevated Windows shell).
 * Read once, synchronously: both facts are fixed for the life of the process, and the engine needs the
 * platform before the first check runs. A Synology NAS reports `dsm`, so checks can declare it.
 */
export function createHostInfo(options: HostInfoOptions = {}): HostInfo {
  const kernel = options.platform ?? process.platform;
  const platform = kernel === "linux" && isSynologyDsm(options.root ?? "/") ? "dsm" : kernel;
  return { platform, isPrivileged: detectPrivilege() };
}

function detectPrivilege(): boolean {
  if (typeof process.getuid === "function") return process.getuid() === 0;
  if (process.platform !== "win32") return false;
  // `net session` only succeeds in an elevated shell; it is the usual cheap test on Windows.
  try {
    execFileSync("net", ["session"], { stdio: "ignore", windowsHide: true, timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}
