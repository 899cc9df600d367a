import { execFileSync } from "node:child_process";
import type { HostInfo } from "@autostun/plugins-api";

/** This process's platform and whether it can change the firewall (root, or an elevated Windows shell). */
export function createHostInfo(): HostInfo {
  return { platform: process.platform, isPrivileged: detectPrivilege() };
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
