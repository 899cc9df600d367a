import { en, type MessageKey, type Messages } from "./en.js";
import type { Locale } from "./locale.js";
import { zhCN } from "./zh-CN.js";

const catalogs: Readonly<Record<Locale, Partial<Messages>>> = { en, "zh-CN": zhCN };

/** Values substituted into `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A translator bound to one locale. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * Looks `key` up in the locale's catalog, falling back to English so a gap in a translation shows
 * readable text instead of a raw key, then fills `{name}` placeholders from `params`.
 */
export function translate(locale: string, key: MessageKey, params?: MessageParams): string {
  const catalog: Partial<Messages> | undefined = catalogs[locale as Locale];
  const template = catalog?.[key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Binds {@link translate} to a locale. */
export function translatorFor(locale: string): Translate {
  return (key, params) => translate(locale, key, params);
}
