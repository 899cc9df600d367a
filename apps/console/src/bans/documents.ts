import { gql } from "@urql/core";

const BAN_FIELDS = "cidr reason createdAt expiresAt source";

/** Bans a page at a time: the daemon may hold 100,000 of them. */
export const BAN_PAGE_SIZE = 500;

const PAGE_FIELDS = `totalCount edges { node { ${BAN_FIELDS} } } pageInfo { hasNextPage endCursor }`;

export const BANS_QUERY = gql(`query Bans { banConnection(first: ${BAN_PAGE_SIZE}) { ${PAGE_FIELDS} } }`);

export const BANS_MORE_QUERY = gql(
  `query BansMore($after: String!) { banConnection(first: ${BAN_PAGE_SIZE}, after: $after) { ${PAGE_FIELDS} } }`,
);

/** The stored ban, and the running tunnels that could not put it in force (the ban is kept all the same). */
export const BAN_MUTATION = gql(
  `mutation Ban($cidr: String!, $reason: String, $ttlSeconds: Int) { ban(cidr: $cidr, reason: $reason, ttlSeconds: $ttlSeconds) { ${BAN_FIELDS} notApplied { tunnelId error } } }`,
);

export const UNBAN_MUTATION = gql(`mutation Unban($cidr: String!) { unban(cidr: $cidr) }`);

/** Only what changed arrives; a change too big to list (or a file reload) says to read the pages again. */
export const BANS_CHANGED_SUBSCRIPTION = gql(
  `subscription BansChanged { bansChanged { kind count total bans { ${BAN_FIELDS} } } }`,
);
