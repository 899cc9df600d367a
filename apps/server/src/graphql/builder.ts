import SchemaBuilder from "@pothos/core";
import type { GraphQLContext } from "./context.js";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.scalarType("JSON", {
  description: "Any JSON value: the facts a check gathered.",
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.scalarType("DateTime", {
  description: "An ISO-8601 timestamp in UTC.",
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
      throw new TypeError("expected an ISO-8601 timestamp");
    return value;
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
