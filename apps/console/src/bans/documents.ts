import { gql } from "@urql/core";

const BAN_FIELDS = "cidr reason createdAt expiresAt source";

export const BANS_QUERY = gql(`query Bans { bans { ${BAN_FIELDS} } }`);

export const BAN_MUTATION = gql(
  `mutation Ban($cidr: String!, $reason: String, $ttlSeconds: Int) { ban(cidr: $cidr, reason: $reason, ttlSeconds: $ttlSeconds) { ${BAN_FIELDS} } }`,
);

export const UNBAN_MUTATION = gql(`mutation Unban($cidr: String!) { unban(cidr: $cidr) }`);

export const BANS_CHANGED_SUBSCRIPTION = gql(`subscription BansChanged { bansChanged { ${BAN_FIELDS} } }`);
