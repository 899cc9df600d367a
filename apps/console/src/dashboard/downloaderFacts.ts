import type { MessageKey } from "../i18n/en.js";
import type { TunnelDownloader } from "./types.js";

const errorKinds = ["CREDENTIALS_REFUSED", "UNREACHABLE", "IGNORED_CHANGE", "UNSUPPORTED"] as const;

/**
 * A short headline for why a push did not take, above the daemon's own text, which says what to do; a
 * kind this console does not know (OTHER, or a newer daemon's) has none: the daemon's text stands alone.
 */
export function errorKindKey(kind: string | null | undefined): MessageKey | null {
  return (errorKinds as readonly (string | null | undefined)[]).includes(kind)
    ? (`dashboard.downloaderError.${kind as (typeof errorKinds)[number]}` as const)
    : null;
}

/** When the daemon tries the push again: only while it is retrying, since a date left over means nothing. */
export function nextPushAt(downloader: TunnelDownloader): string | null {
  return downloader.state === "RETRYING" ? downloader.nextRetryAt : null;
}
