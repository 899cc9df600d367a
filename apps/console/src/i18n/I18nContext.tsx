import { createContext, useContext } from "react";
import type { Locale } from "./locale.js";
import { type Translate, translatorFor } from "./translate.js";

/** The active locale and its translator, provided by the App. */
export interface I18n {
  locale: Locale;
  t: Translate;
}

const I18nContext = createContext<I18n>({ locale: "en", t: translatorFor("en") });

/** Provides the active locale to the component tree. */
export const I18nProvider = I18nContext.Provider;

/** The active locale and translator. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
