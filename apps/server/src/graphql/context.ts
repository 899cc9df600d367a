import type { ServiceLookup } from "../tokens.js";

/** What belongs to one request (HTTP) or one connection (WebSocket) rather than to the daemon. */
export interface RequestScope {
  locale: string;
  /** Aborted when the client went away, so work only it waits for can stop. */
  signal: AbortSignal;
}

/**
 * What every resolver gets: the scope of the request that asked, and the daemon's services through one
 * lookup (`ctx.services.get(Tokens.CheckEngine)`), so a new domain is a schema file and a container
 * registration, not an edit here.
 */
export interface GraphQLContext extends RequestScope {
  services: ServiceLookup;
}

/** Picks the client's locale: our header first, then the first Accept-Language entry. */
export function localeFrom(
  header: string | null | undefined,
  acceptLanguage: string | null | undefined,
): string {
  const chosen = header?.trim() || acceptLanguage?.split(",")[0]?.split(";")[0]?.trim();
  return chosen && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(chosen) ? chosen : "en";
}
