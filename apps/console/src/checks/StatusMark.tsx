import type { CheckStatus } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { statusAppearance } from "./statusAppearance.js";

/** The round status mark at the start of a row: a glyph, or a spinner while the check is going. */
export function StatusMark({ status }: { status: CheckStatus }) {
  const { t } = useI18n();
  const look = statusAppearance(status);
  const label = t(look.label);
  return (
    <span
      className={`mark mark--${look.tone}`}
      role="img"
      aria-label={label}
      title={label}
      data-mark={status}
    >
      {look.busy ? <span className="spinner" aria-hidden="true" /> : look.glyph}
    </span>
  );
}

/** The status in words, coloured like its mark, so ERROR ("check broke") never reads as FAIL. */
export function StatusLabel({ status }: { status: CheckStatus }) {
  const { t } = useI18n();
  const look = statusAppearance(status);
  return <span className={`pill pill--${look.tone}`}>{t(look.label)}</span>;
}
