import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The daemon cannot use its data folder or database as they are. The message is one line that names the
 * path, says why and what to do; the CLI prints it and exits 2.
 */
export class DataDirUnusable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataDirUnusable";
  }
}

const WHERE_SET = "dataDir (config file, AUTOSTUN_DATA_DIR or --data-dir)";

function describeKind(path: string): string {
  const stat = statSync(path);
  if (stat.isFile()) return "a file";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isFIFO()) return "a pipe";
  if (stat.isSocket()) return "a socket";
  return "not a folder";
}

/** The nearest ancestor of `path` that exists (the path itself if it does). */
function existingAncestor(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** The folders from just below `ancestor` down to `path`, outermost first. */
function missingBetween(ancestor: string, path: string): string[] {
  const folders: string[] = [];
  for (let current = path; current !== ancestor && current !== dirname(current); current = dirname(current)) {
    folders.unshift(current);
  }
  return folders;
}

/** Why `folder` cannot be written to, in words, or undefined when it can. */
export function whyNotWritable(folder: string): string | undefined {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EROFS") return "it is on a read-only file system";
    if (code === "EACCES" || code === "EPERM")
      return `the user running AutoSTUN (uid ${process.getuid?.() ?? "?"}) may not write there`;
    return (error as Error).message;
  }
}

/**
 * Makes sure `dataDir` is a folder AutoSTUN can write to, creating it if needed. Each way this can fail
 * becomes a {@link DataDirUnusable} that says which path is wrong and what to change, instead of the raw
 * errno (a read-only parent, for instance, makes a recursive mkdir report a misleading ENOENT).
 */
export function prepareDataDir(dataDir: string): void {
  const found = existingAncestor(dataDir);
  if (found === dataDir) {
    if (!statSync(dataDir).isDirectory()) {
      throw new DataDirUnusable(
        `cannot use ${dataDir} as the data folder: it is ${describeKind(dataDir)}, not a folder. Point ${WHERE_SET} at a folder.`,
      );
    }
  } else {
    if (!statSync(found).isDirectory()) {
      throw new DataDirUnusable(
        `cannot create the data folder ${dataDir}: ${found} on its path is ${describeKind(found)}, not a folder. Point ${WHERE_SET} elsewhere, or move ${found} away.`,
      );
    }
    const blocked = whyNotWritable(found);
    if (blocked) {
      throw new DataDirUnusable(
        `cannot create the data folder ${dataDir}: ${found} is where it would go, and ${blocked}. Point ${WHERE_SET} at a writable folder, or create it with the right owner.`,
      );
    }
    try {
      // One level at a time: Node's recursive mkdir misreports (ENOENT) or even spins on some file systems.
      for (const folder of missingBetween(found, dataDir)) mkdirSync(folder);
    } catch (error) {
      throw new DataDirUnusable(
        `cannot create the data folder ${dataDir}: ${(error as Error).message}. Point ${WHERE_SET} at a writable folder.`,
      );
    }
  }
  const blocked = whyNotWritable(dataDir);
  if (blocked) {
    throw new DataDirUnusable(
      `cannot use ${dataDir} as the data folder: ${blocked}. Point ${WHERE_SET} at a writable folder, or give the folder to the user running AutoSTUN.`,
    );
  }
}
