import type { APPLY_REMEDY_MUTATION, CHECK_FIELDS } from "./documents.js";
import type { ResultOf } from "./graphql.js";

// The check types the console uses, derived from its documents and so from the daemon's schema.

/** One check as the console shows it: the fields `CheckFields` selects. */
export type Check = ResultOf<typeof CHECK_FIELDS>;

/** A check status as the daemon reports it. */
export type CheckStatus = Check["status"];

/** What the user should do about a result. */
export type Guidance = NonNullable<Check["guidance"]>;

/** A fix the daemon can apply after the user confirms it. */
export type Remedy = Check["remedies"][number];

/** What `applyRemedy` answers. */
export type RemedyResult = ResultOf<typeof APPLY_REMEDY_MUTATION>["applyRemedy"];
