/** The fields of an error that say why a request failed; nothing a request carried. */
export interface ExplainingError extends Error {
  code?: string | number;
  status?: number;
}

/** Fields by which a library's error holds the request it was for (headers, body) or its answer. */
const HOLDS_REQUEST = ["request", "options", "response", "config", "headers", "body"] as const;

function holdsRequest(error: object): boolean {
  return HOLDS_REQUEST.some((field) => field in error);
}

/**
 * What an adapter may keep as the `cause` of its DownloaderError: a fresh copy of the error chain with
 * each link's name, message, code, HTTP status and stack, and nothing else.
 *
 * Client libraries keep the request on their errors (ofetch's FetchError behind getters: the cookie,
 * Authorization or API key in its headers, the password in a login body). Nothing prints a cause today,
 * but a `console.error`, `util.inspect` with hidden fields, or an error reporter walking the chain would
 * print those secrets. Links that hold a request are left out of the copy (the adapter's own message
 * already says their status); the network's errors under them stay, with the code the daemon reads two
 * levels down to tell a dropped kept-alive connection apart.
 */
export function safeCause(error: unknown, depth = 0): ExplainingError | undefined {
  if (error == null || depth >= 8) return undefined;
  if (typeof error !== "object") return new Error(String(error));
  const next = (error as { cause?: unknown }).cause;
  if (holdsRequest(error)) return safeCause(next, depth + 1);
  const { name, message, code, status } = error as ExplainingError;
  const inner = safeCause(next, depth + 1);
  const copy: ExplainingError = new Error(
    typeof message === "string" ? message : "",
    inner ? { cause: inner } : undefined,
  );
  if (typeof name === "string") copy.name = name;
  if (typeof code === "string" || typeof code === "number") copy.code = code;
  if (typeof status === "number") copy.status = status;
  // The stack's first line is the name and message kept above; the rest are code locations.
  const stack = (error as Error).stack;
  if (typeof stack === "string") copy.stack = stack;
  return copy;
}
