import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPidAlive, parseNamespaceName } from "./names.js";
import { destroyNamespaces, listNamespaces } from "./namespaces.js";

const TEMP_DIR_PATTERN = /^asl-(\d+)-[0-9a-f]{6}-/;

/**
 * Remove lab namespaces (and whatever still runs in them) and temp folders whose owning
 * process is dead, e.g. left by a test run that was killed with SIGKILL. Labs of live
 * processes, including parallel test workers, are left alone. Returns the namespaces removed.
 */
export async function sweepStaleLabs(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((name) => {
    const parsed = parseNamespaceName(name);
    return parsed !== undefined && !isPidAlive(parsed.pid);
  });
  if (stale.length > 0) await destroyNamespaces(stale);
  await sweepTempDirs();
  return stale;
}

async function sweepTempDirs(): Promise<void> {
  const base = tmpdir();
  const entries = await readdir(base).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const m = TEMP_DIR_PATTERN.exec(name);
      if (m && !isPidAlive(Number(m[1]))) await rm(join(base, name), { recursive: true, force: true });
    }),
  );
}
