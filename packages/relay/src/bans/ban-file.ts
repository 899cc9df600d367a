import { formatCidr, isCidrError, parseCidr } from "../ip/cidr.js";
import type { BanInput } from "./ban-list.js";

export interface BanFileProblem {
  /** `path:line`, the way editors and terminals link to it. */
  readonly where: string;
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

/**
 * Reads a ban-list file: one CIDR or address per line; `#` starts a comment, and a comment after a
 * network becomes that ban's reason. Bad lines are reported and skipped, never fatal: one typo must
 * not lift every other ban in the file.
 */
export function parseBanFile(text: string, path: string): { bans: BanInput[]; problems: BanFileProblem[] } {
  const bans: BanInput[] = [];
  const problems: BanFileProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    const hash = raw.indexOf("#");
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (body === "") continue;
    const reason = hash < 0 ? null : raw.slice(hash + 1).trim() || null;
    const cidr = parseCidr(body);
    if (isCidrError(cidr)) {
      problems.push({ where: `${path}:${index + 1}`, line: index + 1, text: raw, message: cidr.error });
      continue;
    }
    bans.push({ cidr: formatCidr(cidr), reason });
  }
  return { bans, problems };
}
