import { accessSync, chmodSync, constants, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

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
export function prepareDataDir(dataDir: string): Narrowed[] {
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
      // Only the last level is ours alone: folders above it may be shared paths such as /var/lib.
      const folders = missingBetween(found, dataDir);
      for (const folder of folders) mkdirSync(folder, { mode: folder === dataDir ? 0o700 : 0o755 });
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
  return makePrivate(dataDir);
}

/** A permission AutoSTUN narrowed because other users could read or write there. */
export interface Narrowed {
  path: string;
  from: string;
  to: string;
}

/** Private to the daemon's user: secrets (downloader passwords, API keys, the API token) live in here. */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Makes dataDir 0700 and every file directly in it 0600, whatever the umask that made them (an older
 * version, a shell with umask 022, a copy by hand). A folder another user owns that others may write in
 * is refused: whoever can write there can swap the database for their own, and chmod cannot undo that.
 */
export function makePrivate(dataDir: string): Narrowed[] {
  const folder = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && folder.uid !== uid && (folder.mode & 0o022) !== 0) {
    throw new DataDirUnusable(
      `cannot use ${dataDir} as the data folder: it belongs to uid ${folder.uid}, not to the user running AutoSTUN (uid ${uid}), and other users may write in it (mode ${octal(folder.mode)}), so they could replace the database. Give it to that user (chown ${uid} ${dataDir}) or point ${WHERE_SET} at a folder of its own.`,
    );
  }
  const narrowed: Narrowed[] = [];
  const narrow = (path: string, mode: number, wanted: number) => {
    if ((mode & 0o777 & ~wanted) === 0) return;
    try {
      chmodSync(path, wanted);
      narrowed.push({ path, from: octal(mode), to: octal(wanted) });
    } catch (error) {
      throw new DataDirUnusable(
        `cannot make ${path} private (mode ${octal(mode)}, readable by other users): ${(error as Error).message}. Give it to the user running AutoSTUN, or run chmod ${octal(wanted)} ${path}.`,
      );
    }
  };
  narrow(dataDir, folder.mode, PRIVATE_FOLDER_MODE);
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const entry = lstatSync(path);
    // A link is left alone: chmod would follow it to a file outside dataDir that is not ours to change.
    if (entry.isFile()) narrow(path, entry.mode, PRIVATE_FILE_MODE);
  }
  return narrowed;
}
