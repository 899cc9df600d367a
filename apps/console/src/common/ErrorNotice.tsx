import type { ReactNode } from "react";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";

interface ErrorNoticeProps {
  /** The failure's own words; nothing is shown while there is none. */
  message: string | null | undefined;
  /** The sentence that frames it, with a `{message}` slot. */
  text: MessageKey;
  /** What the user can do about it, after the sentence (a retry button). */
  children?: ReactNode;
}

/** A failed load or action, announced to screen readers as it appears. */
export function ErrorNotice({ message, text, children }: ErrorNoticeProps) {
  const { t } = useI18n();
  if (!message) return null;
  return (
    <p className="notice notice--bad" role="alert">
      {t(text, { message })}
      {children && <> {children}</>}
    </p>
  );
}
