import { createHash, timingSafeEqual } from "node:crypto";
import { Tarpit } from "./tarpit.js";

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
  /** The tarpit holds as many wrong tokens as it may; this one is answered at once. */
  | { ok: false; reason: "busy"; retryAfterSeconds: number };

/** Told when a client's wrong tokens reach 1, 2, 4, 8… and when the tarpit is full, to log without flooding. */
export type GuessListener = (
  event:
    | { kind: "held"; client: string; failures: number; delayMs: number }
    | { kind: "full"; client: string },
) => void;

/**
 * The one token check for every transport (HTTP header, WebSocket connectionParams, /metrics). The right
 * token is admitted at once, whatever the address did before: on loopback every local user shares
 * 127.0.0.1, so nothing a guesser does may hold the owner up. A wrong token is answered only after the
 * tarpit's delay, which grows with the address's failures, so guessing gains nothing from speed.
 * `tokenFile` (when the token came from there) goes into the refusal text: where the owner finds it.
 */
export class TokenGate {
  constructor(
    private readonly token: string,
    private readonly tokenFile: string | undefined,
    private readonly tarpit = new Tarpit(),
    private readonly onGuess: GuessListener = () => undefined,
  ) {}

  async admit(
    remoteAddress: string | undefined,
    authorization: string | null | undefined,
  ): Promise<Admission> {
    if (!authorization?.trim()) return { ok: false, reason: "missing" };
    if (bearerMatches(authorization, this.token)) return { ok: true };
    const client = Tarpit.clientKey(remoteAddress);
    const held = this.tarpit.hold(client);
    if (!held.held) {
      this.onGuess({ kind: "full", client });
      return { ok: false, reason: "busy", retryAfterSeconds: Math.ceil(held.retryAfterMs / 1000) };
    }
    // Powers of two: the log shows a guesser at work without a line per guess.
    if ((held.failures & (held.failures - 1)) === 0)
      this.onGuess({ kind: "held", client, failures: held.failures, delayMs: held.delayMs });
    await held.released;
    return { ok: false, reason: "wrong" };
  }

  /** Answers every held wrong token now; the server is closing. */
  close(): void {
    this.tarpit.releaseAll();
  }

  /** What a refused client reads: what happened, why, and where the token is (never the token itself). */
  message(admission: Exclude<Admission, { ok: true }>): string {
    const where = this.tokenFile
      ? `the file ${this.tokenFile} (readable only by the user the daemon runs as; api.token in the config overrides it)`
      : "api.token in the daemon's configuration";
    switch (admission.reason) {
      case "missing":
        return `missing API token: send it as \`Authorization: Bearer <token>\` (WebSocket: connectionParams.authorization); the token is in ${where}`;
      case "wrong":
        return `wrong API token: use the one in ${where}`;
      case "busy":
        return `too many wrong API tokens are waiting for their answer; retry in ${admission.retryAfterSeconds} s (the right token is always answered at once)`;
    }
  }
}
