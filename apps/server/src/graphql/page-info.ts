import { builder } from "./builder.js";

/** Where a page of a Relay cursor connection sits in the whole listing. */
export interface PageInfo {
  hasNextPage: boolean;
  /** Listings paged forward only answer whether anything came before `after`. */
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export const PageInfoRef = builder.objectRef<PageInfo>("PageInfo").implement({
  description: "Where this page sits: pass endCursor as after for the next one.",
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    hasPreviousPage: t.exposeBoolean("hasPreviousPage"),
    startCursor: t.string({ nullable: true, resolve: (p) => p.startCursor }),
    endCursor: t.string({ nullable: true, resolve: (p) => p.endCursor }),
  }),
});
