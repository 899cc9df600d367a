import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureApiTokenFile, readApiTokenFile } from "./api-token-file.js";

const fresh = () => mkdtempSync(join(tmpdir(), "autostun-token-"));
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("the API token file", () => {
  it("is made 0600 on first start with 32 random bytes, and reused after", () => {
    const dir = fresh();
    const first = ensureApiTokenFile(dir);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(modeOf(first.file)).toBe(0o600);
    const again = ensureApiTokenFile(dir);
    expect(again).toMatchObject({ token: first.token, created: false, tightened: false });
    expect(readApiTokenFile(dir)).toEqual({ ok: true, token: first.token });
  });

  it("narrows a file others could read to 0600 and says so", () => {
    const dir = fresh();
    const file = join(dir, "api-token");
    writeFileSync(file, "an-admins-own-token-0123\n");
    chmodSync(file, 0o644);
    expect(ensureApiTokenFile(dir)).toMatchObject({ token: "an-admins-own-token-0123", tightened: true });
    expect(modeOf(file)).toBe(0o600);
  });

  it("replaces an empty file with a new token", () => {
    const dir = fresh();
    const file = join(dir, "api-token");
    writeFileSync(file, "", { mode: 0o600 });
    const made = ensureApiTokenFile(dir);
    expect(made.created).toBe(true);
    expect(readFileSync(file, "utf8").trim()).toBe(made.token);
    expect(modeOf(file)).toBe(0o600);
  });

  it("tells a client that finds no file where it looked, without throwing", () => {
    const read = readApiTokenFile(fresh());
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problem).toMatch(/no API token file at .*api-token.*--token/);
  });
});
