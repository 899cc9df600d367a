/** A banned network as the daemon lists it. */
export interface Ban {
  cidr: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** `api` for bans made through the API; `file:<path>` for lines of the ban-list file. */
  source: string;
}

/** One page of `banConnection`. */
export interface BanPage {
  totalCount: number;
  edges: { node: Ban }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** What `bansChanged` sends: the change, never the whole list. */
export interface BansChange {
  kind: "ADDED" | "REMOVED" | "EXPIRED" | "RELOADED";
  /** The changed bans; fewer than `count` (none) when too many changed to list. */
  bans: Ban[];
  count: number;
  total: number;
}

/** The pages read so far, kept current by the changes. */
export interface BanListing {
  bans: Ban[];
  /** Every ban the daemon holds, read or not. */
  total: number;
  endCursor: string | null;
  hasNextPage: boolean;
  /** A change arrived that did not list its bans: the pages must be read again. */
  stale: boolean;
}
