import { formatCidr, isCidrError, parseCidr } from "@autostun/ip";
import { MAX_BAN_REASON_LENGTH } from "./ban.js";
import type { BanInput } from "./ban-list.js";

export interface BanFileProblem {
  /** `path:line`, the way editors and terminals link to it. */
  readonly where: string;
  readonly line: number;
  readonly text: string;
  readonly message: string;
  /** True when the line's ban is kept and only something about it was changed (a reason cut short). */
  readonly kept?: boolean;
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
    if (reason !== null && reason.length > MAX_BAN_REASON_LENGTH) {
      // The ban matters more than its note: keep the ban, cut the note, and say so at the line.
      problems.push({
        where: `${path}:${index + 1}`,
        line: index + 1,
        text: raw.slice(0, 80),
        message: `the reason is ${reason.length} characters; kept the ban with its first ${MAX_BAN_REASON_LENGTH}`,
        kept: true,
      });
      bans.push({ cidr: formatCidr(cidr), reason: reason.slice(0, MAX_BAN_REASON_LENGTH) });
      continue;
    }
    bans.push({ cidr: formatCidr(cidr), reason });
  }
  return { bans, problems };
}
