import { relativeTime } from "../dashboard/relativeTime.js";
import type { Translate } from "../i18n/translate.js";

/**
 * A moment from the daemon as a clock time in the page's language with how far off it is, e.g.
 * "13:30 (in 59m)"; the raw text when it is not a date, so nothing reads "Invalid Date".
 */
export function describeMoment(t: Translate, locale: string, at: string, now: number): string {
  const when = Date.parse(at);
  if (Number.isNaN(when)) return at;
  const sameDay = new Date(when).toDateString() === new Date(now).toDateString();
  const clock = new Date(when).toLocaleString(
    locale,
    sameDay ? { hour: "2-digit", minute: "2-digit" } : { dateStyle: "short", timeStyle: "short" },
  );
  const relative = relativeTime(at, now);
  return relative ? `${clock} (${t(relative.key, { span: relative.span })})` : clock;
}
