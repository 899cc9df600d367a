import type { ResultOf } from "../graphql/graphql.js";
import type { CONNECTION_EVENTS_SUBSCRIPTION, CONNECTION_FIELDS } from "./documents.js";

/** One peer connection with the fields the table selects. */
export type PeerConnection = ResultOf<typeof CONNECTION_FIELDS>;

/** A connection opening, moving bytes or closing. */
export type ConnectionEvent = ResultOf<typeof CONNECTION_EVENTS_SUBSCRIPTION>["connectionEvents"];
