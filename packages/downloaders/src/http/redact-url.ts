/** What stands in for a secret taken out of a URL. */
export const REDACTED = "REDACTED";

/**
 * Query parameter names whose value is a credential: services put API keys and tokens in the query
 * (`?apikey=`, `?access_token=`, `?sig=`), and a URL is shown, logged and put in error texts far more
 * often than a password field is.
 */
const SECRET_PARAM = /key|token|secret|pass|pwd|auth|sig|session|sid|credential|cookie/i;

/** Whether a query parameter of this name holds a secret. */
export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/**
 * The URL as it may be shown, logged and put in an error: a user name and password written into it and
 * the value of every secret-looking query parameter are replaced by REDACTED. The request itself goes to
 * the real URL; only what people read changes. Text that is not a URL is returned as it came.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.username) {
    parsed.username = REDACTED;
    changed = true;
  }
  if (parsed.password) {
    parsed.password = REDACTED;
    changed = true;
  }
  // Rebuilt by hand: URLSearchParams would re-encode the parameters nobody asked to change.
  if (parsed.search.length > 1) {
    parsed.search = parsed.search
      .slice(1)
      .split("&")
      .map((pair) => {
        const at = pair.indexOf("=");
        const name = at < 0 ? pair : pair.slice(0, at);
        let decoded = name;
        try {
          decoded = decodeURIComponent(name.replace(/\+/g, " "));
        } catch {}
        if (at < 0 || !isSecretParam(decoded)) return pair;
        changed = true;
        return `${name}=${REDACTED}`;
      })
      .join("&");
  }
  // Untouched URLs come back exactly as written (no slash added after a bare host).
  return changed ? parsed.toString() : url;
}

/** A URL inside free text, up to the first character no URL holds or a closing quote or bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`)\]}]+/gi;

/**
 * Redacts every URL found in `text` (an error message, a log line), since libraries write the whole URL
 * they were given into their errors.
 */
export function redactUrlsIn(text: string): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_IN_TEXT, (found) => {
    // A sentence may end right after the URL; keep its full stop or comma outside.
    const trail = /[.,;:!?]+$/.exec(found)?.[0] ?? "";
    const url = trail ? found.slice(0, -trail.length) : found;
    return redactUrl(url) + trail;
  });
}
