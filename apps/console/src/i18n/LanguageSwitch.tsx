import { useI18n } from "./I18nContext.js";
import { LOCALE_NAMES, LOCALES, type Locale } from "./locale.js";

/** Buttons for each locale, each labelled in its own language. */
export function LanguageSwitch({ onChange }: { onChange(locale: Locale): void }) {
  const { locale, t } = useI18n();
  return (
    <fieldset className="languages">
      <legend className="visually-hidden">{t("language.label")}</legend>
      {LOCALES.map((option) => (
        <button
          key={option}
          type="button"
          lang={option}
          className="languages__option"
          aria-pressed={option === locale}
          onClick={() => onChange(option)}
        >
          {LOCALE_NAMES[option]}
        </button>
      ))}
    </fieldset>
  );
}
