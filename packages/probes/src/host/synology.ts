import { existsSync, readFileSync } from "node:fs";
import { pathUnderRoot } from "../files/rooted-path.js";

/**
 * Whether the Linux under `root` is Synology DSM. DSM keeps its release in `/etc.defaults/VERSION`
 * (`os_name="DSM"` since DSM 6; older releases only have the file) and its system settings in
 * `/etc/synoinfo.conf`; a plain Linux has neither.
 */
export function isSynologyDsm(root: string): boolean {
  const version = readIfPresent(root, "/etc.defaults/VERSION");
  if (version !== undefined) {
    const name = /^os_name="?([^"\n]*)"?/m.exec(version)?.[1];
    return name === undefined ? /^majorversion=/m.test(version) : name === "DSM";
  }
  const synoinfo = pathUnderRoot(root, "/etc/synoinfo.conf");
  return synoinfo !== undefined && existsSync(synoinfo);
}

function readIfPresent(root: string, path: string): string | undefined {
  const full = pathUnderRoot(root, path);
  if (!full) return undefined;
  try {
    return readFileSync(full, "utf8");
  } catch {
    return undefined;
  }
}
