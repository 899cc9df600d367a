import type { Ban } from "./types.js";

/** The bans page's lists: the ones the console may lift, and the ban-list file's lines by file. */
export interface BanGroups {
  api: Ban[];
  files: { path: string; bans: Ban[] }[];
}

const FILE_PREFIX = "file:";

/**
 * Splits the daemon's list by where each ban came from. API bans can be lifted here; a file's lines
 * only by editing the file, so they are shown apart with the file's path. Newest first within each.
 */
export function groupBans(bans: readonly Ban[]): BanGroups {
  const newestFirst = [...bans].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.cidr.localeCompare(b.cidr),
  );
  const api = newestFirst.filter((ban) => !ban.source.startsWith(FILE_PREFIX));
  const files = new Map<string, Ban[]>();
  for (const ban of newestFirst) {
    if (!ban.source.startsWith(FILE_PREFIX)) continue;
    const path = ban.source.slice(FILE_PREFIX.length);
    files.set(path, [...(files.get(path) ?? []), ban]);
  }
  return { api, files: [...files.entries()].map(([path, list]) => ({ path, bans: list })) };
}

/**
 * The list after a mutation answered, before the next reload: a new ban replaces one of the same
 * network and source, an unban removes the API ban of that network (file lines stay: the daemon
 * cannot lift them).
 */
export function withBan(bans: readonly Ban[], ban: Ban): Ban[] {
  return [ban, ...bans.filter((held) => !(held.cidr === ban.cidr && held.source === ban.source))];
}

export function withoutApiBan(bans: readonly Ban[], cidr: string): Ban[] {
  return bans.filter((held) => !(held.cidr === cidr && !held.source.startsWith(FILE_PREFIX)));
}

/** Whether a ban has run out by `now` (the daemon drops it on its own; the page may lag a little). */
export function isExpired(ban: Ban, now: number): boolean {
  return ban.expiresAt !== null && Date.parse(ban.expiresAt) <= now;
}
