import type { Translate } from "../i18n/translate.js";
import { formatSpan } from "./format.js";

/** A moment as the card words it: how long ago, or how long until. */
export interface RelativeTime {
  key: "dashboard.ago" | "dashboard.in";
  span: string;
}

/**
 * `at` (an ISO date from the daemon) against `now`, e.g. `{ key: "dashboard.in", span: "4m 10s" }`;
 * null when there is no date or it cannot be read, so the card shows a dash instead of "NaN".
 * The present counts as past: a retry due this second reads "0s ago", not "in 0s"; a future span is
 * rounded up, so "in 1s" is the last word before it is due.
 */
export function relativeTime(at: string | null | undefined, now: number): RelativeTime | null {
  if (!at) return null;
  const when = Date.parse(at);
  if (Number.isNaN(when)) return null;
  return when > now
    ? { key: "dashboard.in", span: formatSpan(when - now + 999) }
    : { key: "dashboard.ago", span: formatSpan(now - when) };
}

/** {@link relativeTime} in the page's words, or a dash. */
export function describeTime(t: Translate, at: string | null | undefined, now: number): string {
  const time = relativeTime(at, now);
  return time ? t(time.key, { span: time.span }) : "—";
}
