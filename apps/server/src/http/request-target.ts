/** The decoded path a request asks for, or why it names none. */
export type RequestTarget = { path: string } | { problem: string };

/**
 * Decodes the path of a request target once, for every route. Malformed percent-encoding (`/%`, `/%zz`,
 * bytes that are not UTF-8) and targets that are no URL at all are the client's mistake: they get 400,
 * never an exception that reaches the process.
 */
export function requestTarget(rawUrl: string | undefined): RequestTarget {
  let pathname: string;
  try {
    pathname = new URL(rawUrl ?? "/", "http://request.invalid").pathname;
  } catch {
    return { problem: "the request target is not a valid URL path" };
  }
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return {
      problem: "the path has malformed percent-encoding (a % must be followed by two hex digits of UTF-8)",
    };
  }
  if (path.includes("\0")) return { problem: "the path contains a NUL character" };
  return { path };
}
