import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import type { SystemFiles } from "@autostun/plugins-api";

/**
 * Reads the host's files under `root`. Tests pass a fixture folder as the root, so a check written
 * against absolute paths like `/proc/1/cgroup` sees a recorded system instead of this machine.
 * Paths that would climb out of the root (`/../x`) read as missing rather than escaping it.
 */
export function createSystemFiles(root = "/"): SystemFiles {
  const base = resolve(root);
  const locate = (path: string): string | undefined => {
    if (!isAbsolute(path)) return undefined;
    const full = resolve(base, `.${path}`);
    const rel = relative(base, full);
    if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
    return full;
  };
  return {
    async readText(path) {
      const full = locate(path);
      if (!full) return undefined;
      try {
        return await readFile(full, "utf8");
      } catch {
        return undefined;
      }
    },
    async exists(path) {
      const full = locate(path);
      if (!full) return false;
      try {
        await stat(full);
        return true;
      } catch {
        return false;
      }
    },
    async list(path) {
      const full = locate(path);
      if (!full) return [];
      try {
        return (await readdir(full)).sort();
      } catch {
        return [];
      }
    },
  };
}
