import { type LocalizedText, localize } from "@autostun/plugins-api";

/**
 * Fills `{name}` placeholders that a catalog left open with words that differ per locale (an address
 * kind, "unknown"), so no English word lands in a Chinese sentence. Plain parameters go through the
 * catalog as usual; only these need one value per locale.
 */
export function fillLocalized(
  text: LocalizedText,
  words: Readonly<Record<string, LocalizedText>>,
): LocalizedText {
  const fill = (template: string, locale: string) =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const word = words[name];
      return word === undefined ? whole : localize(word, locale);
    });
  if (typeof text === "string") return fill(text, "en");
  const out: { en: string; [locale: string]: string } = { en: fill(text.en, "en") };
  for (const [locale, value] of Object.entries(text))
    if (locale !== "en" && value !== undefined) out[locale] = fill(value, locale);
  return out;
}
