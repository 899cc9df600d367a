import type { DownloaderErrorKind, LocalizedText } from "@autostun/plugins-api";
import { redactUrl } from "../http/redact-url.js";

/**
 * - `IDLE`: nothing pushed yet.
 * - `PUSHING`: telling the client and checking it took.
 * - `VERIFIED`: the client reports the port and something of it accepts connections there.
 * - `RETRYING`: the last attempt failed for a reason that may pass (client down); another follows.
 * - `FAILED`: it did not take and retrying will not help until the user acts (password, restart hook).
 */
export type DownloaderPushState = "IDLE" | "PUSHING" | "VERIFIED" | "RETRYING" | "FAILED";

/** Why the last push did not take; `OTHER` is a failure the adapter did not classify. */
export interface DownloaderPushError {
  kind: DownloaderErrorKind | "OTHER";
  /** What the adapter said, as it said it (clients answer in English). */
  message: string;
}

/** A failure as the tunnel shows it: the kind, the adapter's words, and what to do in the user's language. */
export interface DownloaderStatusError extends DownloaderPushError {
  summary: LocalizedText;
}

/** What a tunnel shows about its downloader: never the user name, password or secret. */
export interface DownloaderStatus {
  kind: string;
  /** The configured URL without any user or password part. */
  url: string;
  state: DownloaderPushState;
  /** The port asked for last. */
  requestedPort: number | undefined;
  lastPushAt: Date | undefined;
  /** The port the client was last seen listening on after a push. */
  verifiedPort: number | undefined;
  error: DownloaderStatusError | undefined;
  /** Attempts for the current port, the first included. */
  attempts: number;
  nextRetryAt: Date | undefined;
}

/**
 * The status before the first push: what every tunnel with a downloader shows until its tunnel opens,
 * and what a push starts from. The URL is shown without credentials.
 */
export function idleDownloaderStatus(kind: string, url: string): DownloaderStatus {
  return {
    kind,
    url: displayUrl(url),
    state: "IDLE",
    requestedPort: undefined,
    lastPushAt: undefined,
    verifiedPort: undefined,
    error: undefined,
    attempts: 0,
    nextRetryAt: undefined,
  };
}

/**
 * The URL as it may be shown and logged: credentials written into it are dropped, and secrets in its
 * query (`?apikey=`, `?token=`) read REDACTED.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return redactUrl(parsed.toString()).replace(/\/$/, "");
  } catch {
    return "(not a URL)";
  }
}
