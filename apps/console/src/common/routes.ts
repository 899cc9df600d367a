/** The console's pages, in the order the navigation shows them. */
export const ROUTES = ["wizard", "dashboard", "connections", "bans", "checks"] as const;

/** One of {@link ROUTES}. */
export type Route = (typeof ROUTES)[number];

/** True when `value` names a page of the console. */
export function isRoute(value: unknown): value is Route {
  return typeof value === "string" && (ROUTES as readonly string[]).includes(value);
}

/**
 * The page a location hash asks for (`#/checks`, `#checks`, `#/wizard/nat`); undefined for an empty or
 * unknown hash, so the caller decides where such a visit lands instead of showing a blank page.
 */
export function routeFromHash(hash: string): Route | undefined {
  const first = hash.replace(/^#\/?/, "").split(/[/?]/, 1)[0]?.toLowerCase() ?? "";
  return isRoute(first) ? first : undefined;
}

/** What follows the page name in the hash (`#/wizard/nat` -> "nat"), for deep links into a page. */
export function subpathFromHash(hash: string): string | undefined {
  const [, rest] = /^#\/?[^/?]+\/([^?]*)/.exec(hash) ?? [];
  return rest ? decodeURIComponent(rest) : undefined;
}

/** The hash that opens `route` (and optionally a place inside it). */
export function hashFor(route: Route, subpath?: string): string {
  return subpath ? `#/${route}/${encodeURIComponent(subpath)}` : `#/${route}`;
}

/**
 * Where a visit without a page in its hash lands: someone with no tunnel yet has nothing to watch on
 * the dashboard, so the wizard that sets one up comes first; everyone else sees the dashboard.
 * Undefined while the tunnel count is not known yet.
 */
export function landingRoute(tunnelCount: number | undefined): Route | undefined {
  if (tunnelCount === undefined) return undefined;
  return tunnelCount === 0 ? "wizard" : "dashboard";
}
