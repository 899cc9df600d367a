import { useClient } from "urql";
import { ErrorNotice } from "../common/ErrorNotice.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { CheckRow } from "./CheckRow.js";
import { type Tally, tallyChecks } from "./mergeChecks.js";
import { useLiveChecks } from "./useLiveChecks.js";

// Worst first, so the eye lands on what needs doing; labels reuse the status words of the rows.
const tallyOrder: ReadonlyArray<[keyof Tally, MessageKey]> = [
  ["fail", "status.FAIL"],
  ["error", "status.ERROR"],
  ["warn", "status.WARN"],
  ["pass", "status.PASS"],
  ["skip", "status.SKIP"],
  ["busy", "checks.tally.busy"],
];

/**
 * The troubleshooting page: a tally, the "Run checks" button and one row per check. `reloadKey`
 * changes when the list must be fetched again (the WebSocket came back after missing events).
 */
export function CheckList({ reloadKey }: { reloadKey: number }) {
  const { t } = useI18n();
  const live = useLiveChecks(useClient(), reloadKey);
  const tally = tallyChecks(live.checks);

  return (
    <section className="checks">
      <div className="toolbar">
        <ul className="tally" aria-live="polite">
          {tallyOrder
            .filter(([key]) => tally[key] > 0)
            .map(([key, message]) => (
              <li key={key} className={`tally__item tally__item--${key}`} data-tally={key}>
                {t(message)}
                <span className="tally__count">{tally[key]}</span>
              </li>
            ))}
        </ul>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void live.runAll()}
          disabled={live.runningAll}
        >
          {live.runningAll ? t("checks.running") : t("checks.run")}
        </button>
      </div>

      <ErrorNotice message={live.runError} text="checks.runFailed" />
      <ErrorNotice message={live.loadError} text="checks.loadFailed">
        <button type="button" className="button button--small button--ghost" onClick={live.reload}>
          {t("checks.retry")}
        </button>
      </ErrorNotice>
      {live.loading && <p className="notice">{t("checks.loading")}</p>}
      {!live.loading && !live.loadError && live.checks.length === 0 && (
        <p className="notice">{t("checks.empty")}</p>
      )}

      <ul className="check-list">
        {live.checks.map((check) => (
          <CheckRow
            key={check.id}
            check={check}
            rerunning={live.rerunning.has(check.id)}
            onRerun={(id) => void live.rerun(id)}
            onApplyRemedy={live.applyRemedy}
          />
        ))}
      </ul>
    </section>
  );
}
