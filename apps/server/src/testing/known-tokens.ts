/**
 * The API token of each daemon a test started in this process, by its origin, so helpers that only get
 * the daemon's URL (gql, gqlUntil) can send the token as any client of the daemon must.
 */
const tokens = new Map<string, string>();

export function rememberToken(url: string, token: string): void {
  tokens.set(new URL(url).origin, token);
}

/** The token of the daemon at `url`, when a test here started it. */
export function knownToken(url: string): string | undefined {
  return tokens.get(new URL(url).origin);
}

/** The `authorization` header for the daemon at `url`; empty when its token is unknown. */
export function authHeader(url: string): Record<string, string> {
  const token = knownToken(url);
  return token ? { authorization: `Bearer ${token}` } : {};
}
