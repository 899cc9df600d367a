/** Locales the console has interface strings for; the daemon renders guidance in the same ones. */
export const LOCALES = ["en", "zh-CN"] as const;

/** One of {@link LOCALES}. */
export type Locale = (typeof LOCALES)[number];

/** Names shown in the language switch, each in its own language so a lost user finds theirs. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: "English", "zh-CN": "简体中文" };

/** The localStorage key that remembers the user's choice. */
export const LOCALE_STORAGE_KEY = "autostun.locale";

/** True when `value` names a locale the console supports exactly. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * Maps a BCP 47 tag from the browser to a supported locale. Every Chinese variant gets simplified
 * Chinese, since it is the only Chinese catalog and reads better to those users than English.
 */
export function matchLocale(tag: string): Locale | undefined {
  const lower = tag.trim().toLowerCase();
  if (lower === "zh" || lower.startsWith("zh-")) return "zh-CN";
  if (lower === "en" || lower.startsWith("en-")) return "en";
  return undefined;
}

/** The stored choice wins; otherwise the first browser language we support; otherwise English. */
export function chooseLocale(stored: string | null | undefined, browserLanguages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of browserLanguages) {
    const match = matchLocale(tag);
    if (match) return match;
  }
  return "en";
}
