import { storage, TOKEN_STORAGE_KEY } from "../settings/storage.js";

/** What the function needs of the browser, so a test can hand in its own. */
export interface FragmentTokenEnvironment {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  remember(token: string): void;
}

const browserEnvironment = (): FragmentTokenEnvironment => ({
  location: window.location,
  history: window.history,
  remember: (token) => storage.set(TOKEN_STORAGE_KEY, token),
});

/**
 * The daemon prints its console URL as `http://127.0.0.1:PORT/#token=…` on a terminal. A fragment never
 * reaches the server, so the token travels only from the terminal to this page. It is kept as the token
 * prompt keeps one, and taken out of the address bar at once, so it stays out of history, bookmarks and
 * screenshots. Returns the token, or null when the address carries none.
 */
export function adoptFragmentToken(
  environment: FragmentTokenEnvironment = browserEnvironment(),
): string | null {
  const match = /^#token=([^&]*)/.exec(environment.location.hash);
  if (!match) return null;
  let token: string;
  try {
    token = decodeURIComponent(match[1] ?? "").trim();
  } catch {
    token = "";
  }
  const { pathname, search } = environment.location;
  environment.history.replaceState(null, "", `${pathname}${search}`);
  if (!token) return null;
  environment.remember(token);
  return token;
}
