import { createHash, timingSafeEqual } from "node:crypto";
import { FailureBackoff } from "./failure-backoff.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Compares a presented `Bearer <token>` with the configured token. Both sides are hashed first so the
 * constant-time compare always sees 32 bytes: an early length check would tell a guesser the length.
 */
export function bearerMatches(presented: string | null | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(presented?.trim() ?? "");
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

/** Addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

export type Admission =
  | { ok: true }
  | { ok: false; reason: "missing" | "wrong" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Told each time an address earns a longer wait, so the daemon can log it without logging every guess. */
export type ThrottleListener = (event: {
  client: string;
  failures: number;
  retryAfterSeconds: number;
}) => void;

/**
 * The one token check for every transport (HTTP header, WebSocket connectionParams). Wrong tokens from an
 * address make it wait longer and longer; while it waits even the right token is refused, so guessing
 * gains nothing from speed.
 */
export class TokenGate {
  constructor(
    private readonly token: string,
    private readonly backoff = new FailureBackoff(),
    private readonly onThrottle: ThrottleListener = () => undefined,
  ) {}

  admit(remoteAddress: string | undefined, authorization: string | null | undefined): Admission {
    const client = FailureBackoff.clientKey(remoteAddress);
    const waitMs = this.backoff.retryAfterMs(client);
    if (waitMs > 0) return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil(waitMs / 1000) };
    if (!authorization?.trim()) return { ok: false, reason: "missing" };
    if (bearerMatches(authorization, this.token)) {
      this.backoff.recordSuccess(client);
      return { ok: true };
    }
    const { failures, delayMs } = this.backoff.recordFailure(client);
    if (delayMs > 0) this.onThrottle({ client, failures, retryAfterSeconds: Math.ceil(delayMs / 1000) });
    return { ok: false, reason: "wrong" };
  }
}

/** What a refused client reads: what happened, why, and what to do. */
export function admissionMessage(admission: Exclude<Admission, { ok: true }>): string {
  switch (admission.reason) {
    case "missing":
      return "missing API token: this daemon has api.token set; send it as `Authorization: Bearer <token>` (WebSocket: connectionParams.authorization)";
    case "wrong":
      return "wrong API token: compare it with api.token in the daemon's configuration";
    case "throttled":
      return `too many wrong API tokens from this address; wait ${admission.retryAfterSeconds} s, then retry with the token from api.token`;
  }
}
