import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";

/** The file in dataDir that holds the API token when api.token is not configured. */
export const API_TOKEN_FILE = "api-token";

/** Absolute, so messages that name it are clear wherever they are read. */
export function apiTokenPath(dataDir: string): string {
  return resolve(join(dataDir, API_TOKEN_FILE));
}

export interface ApiTokenFile {
  token: string;
  file: string;
  /** True when this start made the token (first start, or the old file was empty). */
  created: boolean;
  /** The file was readable by group or others and has been narrowed to 0600. */
  tightened: boolean;
}

/** 32 random bytes, base64url: 43 characters that survive URLs, headers and shells unquoted. */
export function newApiToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Writes `token` to a fresh 0600 file next to `file` and puts it in place. The mode is set on the open
 * descriptor as well, so a umask cannot widen it, and nobody ever sees a partly written token file.
 * `replace` false keeps an existing file (another start made one first): link fails with EEXIST.
 */
function writeTokenFile(file: string, token: string, replace: boolean): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (replace) renameSync(temporary, file);
    else linkSync(temporary, file);
  } finally {
    if (!replace) unlinkSync(temporary);
  }
}

/**
 * The daemon's API token from `<dataDir>/api-token`, made on first start. An existing file is reused; if
 * group or others could read it, it is narrowed to 0600 (and `tightened` says so, for a warning).
 * Throws with the file named when it cannot be read or written.
 */
export function ensureApiTokenFile(dataDir: string): ApiTokenFile {
  const file = apiTokenPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw tokenFileError(file, error);
      const token = newApiToken();
      try {
        writeTokenFile(file, token, false);
      } catch (writeError) {
        // Another process made the file between the stat and the link: read theirs on the next round.
        if ((writeError as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw tokenFileError(file, writeError);
      }
      return { token, file, created: true, tightened: false };
    }
    let tightened = false;
    if ((mode & 0o077) !== 0) {
      try {
        chmodSync(file, 0o600);
      } catch (error) {
        throw tokenFileError(file, error);
      }
      tightened = true;
    }
    const token = readTokenText(file);
    if (token) return { token, file, created: false, tightened };
    // An empty file (a crash while an older version wrote it, or an admin's `: > api-token`): make a new one.
    const fresh = newApiToken();
    try {
      writeTokenFile(file, fresh, true);
    } catch (error) {
      throw tokenFileError(file, error);
    }
    return { token: fresh, file, created: true, tightened };
  }
  throw new Error(`cannot create the API token file ${file}: it keeps changing under us`);
}

function readTokenText(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw tokenFileError(file, error);
  }
}

function tokenFileError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(
    `cannot use the API token file ${file}: ${code ?? (error as Error).message}. ` +
      "Run AutoSTUN as the user that owns dataDir, or set api.token.",
  );
}

export type TokenFileRead =
  | { ok: true; token: string }
  | { ok: false; problem: string; code: string | undefined; file: string };

/**
 * What a client (the CLI) reads: the token, or a sentence naming the file and what to do. Never throws.
 */
export function readApiTokenFile(dataDir: string): TokenFileRead {
  const file = apiTokenPath(dataDir);
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token) return { ok: true, token };
    return {
      ok: false,
      code: "EMPTY",
      file,
      problem: `the API token file ${file} is empty; restart the daemon to make a new one`,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM")
      return {
        ok: false,
        code,
        file,
        problem:
          `cannot read the API token file ${file} (${code}): only the daemon's user may read it. ` +
          "Run this command as that user (e.g. with sudo -u), or pass --token.",
      };
    if (code === "ENOENT")
      return {
        ok: false,
        code,
        file,
        problem:
          `no API token file at ${file}: the daemon makes it on its first start. Pass --data-dir (or -c) ` +
          "pointing at the daemon's dataDir, or pass --token.",
      };
    return {
      ok: false,
      code,
      file,
      problem: `cannot read the API token file ${file}: ${code ?? String(error)}`,
    };
  }
}
