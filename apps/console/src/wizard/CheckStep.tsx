import { useState } from "react";
import { FactsView } from "../checks/FactsView.js";
import { GuidancePanel } from "../checks/GuidancePanel.js";
import { RemedyButtons } from "../checks/RemedyButtons.js";
import { RemedyDialog } from "../checks/RemedyDialog.js";
import type { Check, Remedy, RemedyResult } from "../graphql/types.js";
import { useI18n } from "../i18n/I18nContext.js";
import { Ipv6FactList } from "../ipv6/Ipv6FactList.js";
import { ipv6Facts, type PinholeView } from "../ipv6/ipv6Facts.js";
import { StepMark, stateLabelOf } from "./StepMark.js";
import { canContinueAnyway, isOptionalStep, type StepId, type StepState } from "./steps.js";
import { stepFallbacks } from "./stepText.js";

interface CheckStepProps {
  stepId: StepId;
  checkId: string;
  check: Check | undefined;
  state: StepState;
  number: number;
  /** A re-run of this check is under way. */
  rerunning: boolean;
  onTestAgain(): void;
  onApplyRemedy(checkId: string, remedyId: string): Promise<RemedyResult>;
  /** The user read a warning and goes on; absent once accepted or when not allowed. */
  onContinueAnyway: (() => void) | undefined;
  /** The clock the IPv6 step's moments (a pinhole's lease end) are told against. */
  now: number;
  /** The pinhole a tunnel holds on the router for the downloader, for the IPv6 step's facts. */
  pinhole?: PinholeView | null;
}

/**
 * One diagnostic step: the check's live verdict, its guidance and remedies when it needs attention, what
 * the user can still do when the fix is not on this computer, and "Test again" for this check alone.
 */
export function CheckStep(props: CheckStepProps) {
  const { stepId, checkId, check, state, number, rerunning } = props;
  const { t } = useI18n();
  const [confirming, setConfirming] = useState<Remedy | null>(null);
  const fallback = stepFallbacks[stepId];
  const troubled = state === "attention" || state === "blocked";
  const busy = rerunning || state === "waiting";
  const ipv6 = stepId === "ipv6";

  // No IPv6 on this host: one line says so, and nothing else of the check is worth the user's time.
  if (ipv6 && state === "skipped")
    return (
      <div className="step-check" data-step-check={checkId} data-status={check?.status ?? ""}>
        <p className="step-check__skipped" data-ipv6-skipped>
          {t("wizard.ipv6.skipped", { summary: check?.summary ?? "" })}
        </p>
        <div className="step-actions">
          <button type="button" className="button" onClick={props.onTestAgain} disabled={busy}>
            {busy ? t("wizard.testing") : t("wizard.testAgain")}
          </button>
        </div>
      </div>
    );

  return (
    <div className="step-check" data-step-check={checkId} data-status={check?.status ?? ""}>
      <div className="step-check__verdict" aria-live="polite">
        <StepMark state={state} number={number} step={stepId} />
        <div>
          <div className="step-check__state">{t(stateLabelOf(state, stepId))}</div>
          <div className="step-check__summary">
            {state === "missing"
              ? t("wizard.check.missing", { id: checkId })
              : (check?.summary ?? t("checks.noSummary"))}
          </div>
        </div>
      </div>

      {state === "broke" && !check?.guidance && <p className="step-check__hint">{t("checks.brokeHint")}</p>}
      {check?.guidance && state !== "passed" && <GuidancePanel guidance={check.guidance} open={true} />}
      {check && (
        <RemedyButtons remedies={check.remedies} className="step-check__remedies" onPick={setConfirming} />
      )}
      {fallback && troubled && (
        <section className="step-check__fallback" aria-labelledby={`fallback-${stepId}`}>
          <h3 id={`fallback-${stepId}`}>{t("wizard.fallback.title")}</h3>
          <p>{t(fallback)}</p>
        </section>
      )}
      {ipv6 && check && <Ipv6FactList facts={ipv6Facts(check.facts, props.pinhole)} now={props.now} />}
      {check && <FactsView facts={check.facts} />}

      <div className="step-actions">
        <button type="button" className="button" onClick={props.onTestAgain} disabled={busy}>
          {busy ? t("wizard.testing") : t("wizard.testAgain")}
        </button>
        {props.onContinueAnyway && canContinueAnyway(state, stepId) && (
          <button type="button" className="button button--ghost" onClick={props.onContinueAnyway}>
            {isOptionalStep(stepId)
              ? t("wizard.ipv6.later")
              : state === "blocked"
                ? t("wizard.overrule")
                : t("wizard.continueAnyway")}
          </button>
        )}
      </div>

      {confirming && (
        <RemedyDialog
          remedy={confirming}
          apply={() => props.onApplyRemedy(checkId, confirming.id)}
          onClose={() => setConfirming(null)}
        />
      )}
    </div>
  );
}
