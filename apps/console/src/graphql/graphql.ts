import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.js";

/**
 * Tags a GraphQL document and types it from the daemon's schema: `graphql-env.d.ts` is
 * apps/server/schema.graphql turned into a type by `npm run generate -w @autostun/console` (its drift test
 * fails when it is stale), so a field the daemon does not have, or a wrong variable, fails `tsc`.
 * Fragments are not masked: whoever holds a result reads a fragment's fields off it directly.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: {
    /** ISO 8601 text, as the daemon sends it. */
    DateTime: string;
    /** Any JSON value (a check's facts). */
    JSON: unknown;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from "gql.tada";
