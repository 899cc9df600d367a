import { isUnauthorizedClose } from "./auth.js";

// Closures graphql-ws never retries (protocol misuse, server crash) and ordinary WebSocket codes
// that it does retry; mirrored here so the badge can say "offline" at once instead of waiting.
const NOT_RETRIED = new Set([4004, 4005, 4400, 4406, 4409, 4429, 4500]);
const RETRIED_STANDARD = new Set([1000, 1001, 1005, 1006, 1012, 1013, 1014]);

/** True when the WebSocket client will not try again after this close event. */
export function isFatalClose(event: unknown): boolean {
  if (isUnauthorizedClose(event)) return true;
  if (typeof event !== "object" || event === null) return false;
  const code = (event as { code?: unknown }).code;
  if (typeof code !== "number") return false;
  if (NOT_RETRIED.has(code)) return true;
  return code >= 1000 && code <= 1999 && !RETRIED_STANDARD.has(code);
}
