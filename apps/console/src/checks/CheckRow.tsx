import { useState } from "react";
import type { Check, Remedy, RemedyResult } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { FactsView, hasFacts } from "./FactsView.js";
import { formatDuration } from "./formatDuration.js";
import { GuidancePanel } from "./GuidancePanel.js";
import { RemedyButtons } from "./RemedyButtons.js";
import { RemedyDialog } from "./RemedyDialog.js";
import { StatusLabel, StatusMark } from "./StatusMark.js";
import { statusAppearance } from "./statusAppearance.js";

interface CheckRowProps {
  check: Check;
  /** A re-run of this check was asked for and has not been answered yet. */
  rerunning: boolean;
  onRerun(id: string): void;
  onApplyRemedy(checkId: string, remedyId: string): Promise<RemedyResult>;
}

/** One check: mark, title, summary; guidance, remedies and facts below it. */
export function CheckRow({ check, rerunning, onRerun, onApplyRemedy }: CheckRowProps) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState<Remedy | null>(null);
  const look = statusAppearance(check.status);
  const busy = look.busy || rerunning;
  // A broken check usually comes without guidance; say what ERROR means so it is not read as FAIL.
  const broke = check.status === "ERROR";

  return (
    <li
      className={`check check--${look.tone}`}
      data-check-id={check.id}
      data-status={check.status}
      data-finished-at={check.finishedAt ?? ""}
    >
      <div className="check__head">
        <StatusMark status={check.status} />
        <div className="check__text">
          <div className="check__title">
            {check.title}
            <code className="check__id">{check.id}</code>
          </div>
          <div className="check__summary">{check.summary ?? t("checks.noSummary")}</div>
        </div>
        <div className="check__side">
          <StatusLabel status={check.status} />
          {check.durationMs !== null && !look.busy && (
            <span className="check__duration">{formatDuration(check.durationMs, t)}</span>
          )}
          <button
            type="button"
            className="button button--small button--ghost"
            onClick={() => onRerun(check.id)}
            disabled={busy}
          >
            {t("checks.rerun")}
          </button>
        </div>
      </div>
      {(check.guidance || broke || check.remedies.length > 0 || hasFacts(check.facts)) && (
        <div className="check__body">
          {check.guidance && <GuidancePanel guidance={check.guidance} open={look.needsAttention} />}
          {broke && !check.guidance && <p className="check__broke">{t("checks.brokeHint")}</p>}
          <RemedyButtons remedies={check.remedies} className="check__remedies" onPick={setConfirming} />
          <FactsView facts={check.facts} />
        </div>
      )}
      {confirming && (
        <RemedyDialog
          remedy={confirming}
          apply={() => onApplyRemedy(check.id, confirming.id)}
          onClose={() => setConfirming(null)}
        />
      )}
    </li>
  );
}
