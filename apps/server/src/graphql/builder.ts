import SchemaBuilder from "@pothos/core";
import type { GraphQLContext } from "./context.js";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: string; Output: string | Date };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.scalarType("JSON", {
  description: "Any JSON value: the facts a check gathered.",
  serialize: (value) => value,
  parseValue: (value) => value,
});

/**
 * A date and time as RFC 3339 (ISO 8601) writes it, with its offset: 2026-01-31T12:00:00Z or
 * 2026-01-31T13:00:00.250+01:00. Date.parse alone would also take "Jan 31 2026" or a bare date.
 */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The wire form of a DateTime, or why a value is not one (the message names what was given). */
export function parseDateTime(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
    throw new TypeError(
      `DateTime expects an ISO 8601 date and time with its offset, e.g. 2026-01-31T12:00:00Z; got ${JSON.stringify(value)}`,
    );
  return value;
}

builder.scalarType("DateTime", {
  description:
    "A point in time as an ISO 8601 (RFC 3339) string with its offset; the daemon answers in UTC with milliseconds, e.g. 2026-01-31T12:00:00.000Z.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : parseDateTime(value)),
  parseValue: parseDateTime,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
