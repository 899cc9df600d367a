import { graphql } from "../graphql/graphql.js";

export const BAN_FIELDS = graphql(`
  fragment BanFields on Ban {
    cidr
    reason
    createdAt
    expiresAt
    source
  }
`);

// Bans a page at a time (500): the daemon may hold 100,000 of them.
export const BAN_PAGE_FIELDS = graphql(
  `
    fragment BanPageFields on BanConnection {
      totalCount
      edges {
        node {
          ...BanFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  `,
  [BAN_FIELDS],
);

export const BANS_QUERY = graphql(
  `
    query Bans {
      banConnection(first: 500) {
        ...BanPageFields
      }
    }
  `,
  [BAN_PAGE_FIELDS],
);

export const BANS_MORE_QUERY = graphql(
  `
    query BansMore($after: String!) {
      banConnection(first: 500, after: $after) {
        ...BanPageFields
      }
    }
  `,
  [BAN_PAGE_FIELDS],
);

/** The stored ban, and the running tunnels that could not put it in force (the ban is kept all the same). */
export const BAN_MUTATION = graphql(
  `
    mutation Ban($cidr: String!, $reason: String, $ttlSeconds: Int) {
      ban(cidr: $cidr, reason: $reason, ttlSeconds: $ttlSeconds) {
        ...BanFields
        notApplied {
          tunnelId
          error
        }
      }
    }
  `,
  [BAN_FIELDS],
);

export const UNBAN_MUTATION = graphql(`
  mutation Unban($cidr: String!) {
    unban(cidr: $cidr)
  }
`);

/** Only what changed arrives; a change too big to list (or a file reload) says to read the pages again. */
export const BANS_CHANGED_SUBSCRIPTION = graphql(
  `
    subscription BansChanged {
      bansChanged {
        kind
        count
        total
        bans {
          ...BanFields
        }
      }
    }
  `,
  [BAN_FIELDS],
);
