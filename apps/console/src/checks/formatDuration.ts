import type { Translate } from "../i18n/translate.js";

/** A check's run time for people: whole milliseconds below a second, tenths of seconds above. */
export function formatDuration(ms: number, t: Translate): string {
  if (ms < 1000) return t("checks.duration.ms", { value: Math.max(0, Math.round(ms)) });
  return t("checks.duration.s", { value: (ms / 1000).toFixed(1) });
}
