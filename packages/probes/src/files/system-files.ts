import { readdir, readFile, stat } from "node:fs/promises";
import type { SystemFiles } from "@autostun/plugins-api";
import { pathUnderRoot } from "./rooted-path.js";

/**
 * Reads the host's files under `root`. Tests pass a fixture folder as the root, so a check written
 * against absolute paths like `/proc/1/cgroup` sees a recorded system instead of this machine.
 * Paths that would climb out of the root (`/../x`) read as missing rather than escaping it.
 */
export function createSystemFiles(root = "/"): SystemFiles {
  const locate = (path: string) => pathUnderRoot(root, path);
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
