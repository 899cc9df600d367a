import { useI18n } from "../i18n/I18nContext.js";
import type { ConnectionPhase } from "./connectionState.js";
import { isCurrent } from "./connectionState.js";

/** A dot and a word saying whether the statuses on screen follow the daemon right now. */
export function ConnectionBadge({ phase }: { phase: ConnectionPhase }) {
  const { t } = useI18n();
  const hint = isCurrent(phase) ? t("connection.liveHint") : t("connection.staleHint");
  return (
    <span className={`connection connection--${phase}`} title={hint} data-connection={phase} role="status">
      <span className="connection__dot" aria-hidden="true" />
      {t(`connection.${phase}`)}
    </span>
  );
}
