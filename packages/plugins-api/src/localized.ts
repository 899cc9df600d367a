/** Locales every built-in message is written in. Plugins may add more; `en` is the fallback. */
export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * User-facing text. A plain string is the same in every locale; an object carries one string per
 * locale and must at least have `en`.
 */
export type LocalizedText = string | ({ en: string } & { [locale: string]: string | undefined });

/** Picks the text for `locale`, falling back to the language part (`zh`) and then to English. */
export function localize(text: LocalizedText, locale: string = "en"): string {
  if (typeof text === "string") return text;
  const language = locale.split("-")[0] ?? locale;
  const byLanguage = Object.keys(text).find((key) => key.split("-")[0] === language);
  return text[locale] ?? (byLanguage ? text[byLanguage] : undefined) ?? text.en;
}

/**
 * Parameters substituted into `{name}` placeholders of a catalog message. A parameter that is itself
 * words (a reason, "unknown") should be {@link LocalizedText}: each locale then gets its own words
 * instead of an English fragment inside a translated sentence.
 */
export type MessageParams = Readonly<Record<string, string | number | LocalizedText>>;

/** A message catalog: per locale, per key, one string (or a list of steps). */
export type CatalogMessages = { en: Record<string, string | readonly string[]> } & {
  [locale: string]: Record<string, string | readonly string[]> | undefined;
};

/** Formats keys of a catalog into {@link LocalizedText} carrying every locale at once. */
export interface Catalog {
  /** The messages as written, so tools and tests can walk every key in every locale. */
  readonly messages: CatalogMessages;
  /** One message in every locale the catalog has, with `{name}` placeholders filled. */
  text(key: string, params?: MessageParams): LocalizedText;
  /** A list of steps, one {@link LocalizedText} per step; locales with fewer steps fall back to English. */
  steps(key: string, params?: MessageParams): LocalizedText[];
}

function fill(template: string, params: MessageParams | undefined, locale: string): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "object" ? localize(value, locale) : String(value);
  });
}

/**
 * Builds a {@link Catalog} from messages written per locale. A key missing in the English messages
 * throws at once, so a typo shows up in the first test rather than in front of a user.
 */
export function defineCatalog(messages: CatalogMessages): Catalog {
  const locales = Object.keys(messages).filter((locale) => messages[locale] !== undefined);
  const lookup = (key: string) => {
    const english = messages.en[key];
    if (english === undefined) throw new Error(`message catalog has no English text for "${key}"`);
    return english;
  };
  return {
    messages,
    text(key, params) {
      const english = lookup(key);
      if (typeof english !== "string") throw new Error(`message "${key}" is a list; use steps()`);
      const out: { en: string; [locale: string]: string } = { en: fill(english, params, "en") };
      for (const locale of locales) {
        const value = messages[locale]?.[key];
        if (typeof value === "string") out[locale] = fill(value, params, locale);
      }
      return out;
    },
    steps(key, params) {
      const english = lookup(key);
      if (typeof english === "string") throw new Error(`message "${key}" is not a list; use text()`);
      return english.map((step, index) => {
        const out: { en: string; [locale: string]: string } = { en: fill(step, params, "en") };
        for (const locale of locales) {
          const value = messages[locale]?.[key];
          if (Array.isArray(value) && typeof value[index] === "string")
            out[locale] = fill(value[index], params, locale);
        }
        return out;
      });
    },
  };
}
