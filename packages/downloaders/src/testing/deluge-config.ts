import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** deluge-web's password until the user changes it. */
export const DELUGE_WEB_PASSWORD = "deluge";

/**
 * A config folder shared by deluged and deluge-web: the Web UI reaches the daemon as `localclient` with
 * the password in its auth file.
 */
export function writeDelugeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "autostun-deluge-"));
  writeFileSync(join(dir, "auth"), "localclient:lab-daemon-secret:10\n");
  return dir;
}

// Python 3.11 breaks deluge's logging below error, so both run with -L error.

/** deluged's arguments: in the foreground, its RPC on `address`:`port`. */
export function delugedArgs(dir: string, port: number, address = "127.0.0.1"): string[] {
  return ["-d", "-c", dir, "-L", "error", "-p", String(port), "-u", address];
}

/** deluge-web's arguments: in the foreground on `port`, on every address unless `address` is given. */
export function delugeWebArgs(dir: string, port: number, address?: string): string[] {
  return ["-d", "-c", dir, "-L", "error", "-p", String(port), ...(address ? ["-i", address] : [])];
}
