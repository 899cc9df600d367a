import type { ResultOf } from "../graphql/graphql.js";
import type { BAN_FIELDS, BAN_PAGE_FIELDS, BANS_CHANGED_SUBSCRIPTION } from "./documents.js";

/**
 * A banned network as the daemon lists it. `source` is `api` for bans made through the API and
 * `file:<path>` for lines of the ban-list file.
 */
export type Ban = ResultOf<typeof BAN_FIELDS>;

/** One page of `banConnection`. */
export type BanPage = ResultOf<typeof BAN_PAGE_FIELDS>;

/** What `bansChanged` sends: the change, never the whole list; fewer bans than `count` (none) when too many changed to list. */
export type BansChange = ResultOf<typeof BANS_CHANGED_SUBSCRIPTION>["bansChanged"];

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
