import { DownloaderError } from "@autostun/plugins-api";
import { refusedRequest } from "../../http/pinned-dispatcher.js";
import { safeCause } from "../../http/safe-cause.js";

/** What the library's errors carry that we read: ofetch's FetchError has the status and the network's error. */
interface LibraryError {
  name?: string;
  message?: string;
  status?: number;
  cause?: unknown;
}

function causes(error: unknown): LibraryError[] {
  const chain: LibraryError[] = [];
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    chain.push(current as LibraryError);
    current = (current as LibraryError).cause;
  }
  return chain;
}

/** Why no answer came, in a few words: a timeout, or the network's code (ECONNREFUSED, UND_ERR_SOCKET). */
export function networkReason(error: unknown): string {
  const chain = causes(error);
  if (chain.some((link) => link.name === "TimeoutError")) return "did not answer in time";
  const code = chain.map((link) => (link as { code?: unknown }).code).find((c) => typeof c === "string");
  return typeof code === "string" ? code : "did not answer";
}

/**
 * Turns what @ctrl/qbittorrent throws into the kinds the push reports. The login is ours
 * (qbittorrent-web-ui.ts) and throws DownloaderErrors already; the library lets a FetchError through for
 * every other call. Its messages hold the request URL, which we never put in our own text beyond the
 * origin the user configured. `path` is the API call we made, for the message.
 */
export function qbittorrentError(
  error: unknown,
  origin: string,
  path: string,
  auth: { apiKey: boolean } = { apiKey: false },
): DownloaderError {
  if (error instanceof DownloaderError) return error;
  const redirect = refusedRequest(error);
  if (redirect)
    return new DownloaderError(
      "UNREACHABLE",
      `${origin} redirected ${path} to ${redirect.attempted}; AutoSTUN talks only to the configured URL: set the address qBittorrent's Web UI answers on itself`,
    );
  const failure = error as LibraryError;
  if (failure?.name !== "FetchError")
    return new DownloaderError("UNREACHABLE", `qBittorrent at ${origin} failed on ${path}`, {
      cause: safeCause(error),
    });
  const status = failure.status;
  // The cause is fetch's own error, as when the adapter called fetch itself: the daemon reads the
  // network's code two levels down (a kept-alive connection the client closed is tried once more).
  // The FetchError around it holds the request's headers (cookie, Authorization) and is left out.
  if (status === undefined)
    return new DownloaderError("UNREACHABLE", `${origin} ${networkReason(error)}`, {
      cause: safeCause(failure.cause),
    });
  // With an API key there is no login: a refusal is the key's (wrong, revoked, or a client before 5.2).
  if ((status === 401 || status === 403) && auth.apiKey)
    return new DownloaderError(
      "CREDENTIALS_REFUSED",
      "qBittorrent refused the API key: check it in the Web UI options (API keys need qBittorrent 5.2 or later)",
    );
  if (status === 401 || status === 403)
    return new DownloaderError("CREDENTIALS_REFUSED", "qBittorrent refused the session after logging in");
  if (status === 404) return new DownloaderError("UNSUPPORTED", `this qBittorrent has no API call ${path}`);
  return new DownloaderError("UNREACHABLE", `qBittorrent answered HTTP ${status} to ${path}`);
}
