import type { Ban, BanListing, BanPage, BansChange } from "./types.js";

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

export const emptyListing: BanListing = {
  bans: [],
  total: 0,
  endCursor: null,
  hasNextPage: false,
  stale: false,
};

/** The first page read afresh (after a load, a reconnect or a stale change). */
export function firstPage(page: BanPage): BanListing {
  return {
    bans: page.edges.map((edge) => edge.node),
    total: page.totalCount,
    endCursor: page.pageInfo.endCursor,
    hasNextPage: page.pageInfo.hasNextPage,
    stale: false,
  };
}

/** The next page after those already read. */
export function nextPage(listing: BanListing, page: BanPage): BanListing {
  const fresh = page.edges.map((edge) => edge.node);
  const known = new Set(fresh.map((ban) => `${ban.source}|${ban.cidr}`));
  return {
    ...listing,
    bans: [...listing.bans.filter((ban) => !known.has(`${ban.source}|${ban.cidr}`)), ...fresh],
    total: page.totalCount,
    endCursor: page.pageInfo.endCursor ?? listing.endCursor,
    hasNextPage: page.pageInfo.hasNextPage,
  };
}

/**
 * Folds one `bansChanged` event into the pages read: the listed bans are added or dropped; a change
 * that did not list them (a ban-list file reload, a bulk ban) marks the listing stale to be read again.
 */
export function applyBanChange(listing: BanListing, change: BansChange): BanListing {
  if (change.kind === "RELOADED" || change.bans.length < change.count)
    return { ...listing, total: change.total, stale: true };
  let bans = listing.bans;
  for (const ban of change.bans) {
    if (change.kind === "ADDED") bans = withBan(bans, ban);
    else bans = bans.filter((held) => !(held.cidr === ban.cidr && held.source === ban.source));
  }
  return { ...listing, bans, total: change.total };
}
