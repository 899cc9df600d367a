import type { CombinedError } from "@urql/core";

/** WebSocket close codes with which a graphql-ws server turns away a connection without valid auth. */
const UNAUTHORIZED_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

/** True when an HTTP GraphQL error means the daemon wants an API token (a 401 answer). */
export function isUnauthorizedError(error: CombinedError | undefined): boolean {
  if (!error) return false;
  const response: unknown = error.response;
  if (isRecord(response) && response["status"] === 401) return true;
  return error.graphQLErrors.some((graphQLError) => {
    const extensions = graphQLError.extensions as Record<string, unknown> | undefined;
    if (!extensions) return false;
    const http = extensions["http"];
    return extensions["code"] === "UNAUTHENTICATED" || (isRecord(http) && http["status"] === 401);
  });
}

/** True when a WebSocket close event means the token is missing or wrong. */
export function isUnauthorizedClose(event: unknown): boolean {
  return isRecord(event) && typeof event["code"] === "number" && UNAUTHORIZED_CLOSE_CODES.has(event["code"]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
