import { useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { useLiveChecks } from "../checks/useLiveChecks.js";
import { ErrorNotice } from "../common/ErrorNotice.js";
import { hashFor } from "../common/routes.js";
import { useNow } from "../dashboard/useNow.js";
import { useI18n } from "../i18n/I18nContext.js";
import { storage } from "../settings/storage.js";
import { ACCEPTED_STORAGE_KEY, parseAccepted, serializeAccepted } from "./acceptedSteps.js";
import { CheckStep } from "./CheckStep.js";
import { DownloaderStep } from "./DownloaderStep.js";
import type { DownloaderForm } from "./downloaderChoice.js";
import { EnableStep } from "./EnableStep.js";
import { Stepper } from "./Stepper.js";
import {
  currentStepIndex,
  nextStepIndex,
  STEP_CHECKS,
  STEP_IDS,
  type StepId,
  type StepState,
  shownStepIndex,
  stateOfStatus,
  stateOfTunnels,
} from "./steps.js";
import { stepIntros, stepTitles } from "./stepText.js";
import { useProofWatch } from "./useProofWatch.js";
import { useWizardTunnels } from "./useWizardTunnels.js";
import "./wizard.css";

/**
 * The troubleshooting wizard: the user guide's steps in order, each with its check live. The first
 * step not done is current and the ones after it are locked; `stepId` (from `#/wizard/<step>`) shows
 * an earlier one again. Steps the user stepped past are remembered in localStorage; the downloader's
 * credentials are not (they go to the daemon only).
 */
export function Wizard({ stepId, reloadKey }: { stepId: string | undefined; reloadKey: number }) {
  const { t } = useI18n();
  const client = useClient();
  const live = useLiveChecks(client, reloadKey);
  const tunnels = useWizardTunnels(client, reloadKey);
  const [accepted, setAccepted] = useState<ReadonlySet<StepId>>(() =>
    parseAccepted(storage.get(ACCEPTED_STORAGE_KEY)),
  );
  const [choice, setChoice] = useState<DownloaderForm | null>(null);
  // Only the IPv6 step tells moments (a pinhole's lease end), so a slow tick is plenty.
  const now = useNow(10_000);

  const byId = new Map(live.checks.map((check) => [check.id, check]));
  const tunnelSummaries = (tunnels.tunnels ?? []).map((tunnel) => ({
    state: tunnel.state,
    push: tunnel.downloader?.state,
  }));
  const states: StepState[] = STEP_IDS.map((id) => {
    if (id === "downloader") return choice || tunnelSummaries.length > 0 ? "passed" : "todo";
    if (id === "enable") return tunnels.tunnels === undefined ? "waiting" : stateOfTunnels(tunnelSummaries);
    const checkId = STEP_CHECKS[id] as string;
    return live.loading ? "waiting" : stateOfStatus(byId.get(checkId)?.status);
  });
  const current = currentStepIndex(states, accepted);
  const shown = shownStepIndex(stepId, current);
  const shownId = STEP_IDS[shown] as StepId;
  const shownState = states[shown] ?? "todo";
  const finished = current === STEP_IDS.length;

  useProofWatch(client, shownId === "proof" && shownState !== "passed", () =>
    live.rerun("relay.reachability"),
  );

  // Going to another step (a link, Next, continue) puts the keyboard and screen reader at its heading,
  // as a new page would. A step that changes because a live verdict arrived does not steal the focus.
  const heading = useRef<HTMLHeadingElement>(null);
  // Pinning the shown step in the address ("Test again") changes the address but not the step: no move.
  const previous = useRef({ stepId, shownId });
  useEffect(() => {
    const before = previous.current;
    if (before.stepId !== stepId && before.shownId !== shownId) heading.current?.focus();
    previous.current = { stepId, shownId };
  }, [stepId, shownId]);

  const goTo = (id: StepId) => {
    window.location.hash = hashFor("wizard", id);
  };
  const nextIndex = nextStepIndex(states, shown);
  const next = nextIndex === undefined ? undefined : STEP_IDS[nextIndex];
  const accept = () => {
    setAccepted((set) => {
      const next = new Set(set).add(shownId);
      storage.set(ACCEPTED_STORAGE_KEY, serializeAccepted(next));
      return next;
    });
    if (next) goTo(next);
  };

  const checkId = STEP_CHECKS[shownId];
  const check = checkId ? byId.get(checkId) : undefined;

  return (
    <section className="wizard" aria-labelledby="wizard-title">
      <h1 id="wizard-title" className="page-title">
        {t("wizard.title")}
      </h1>
      <p className="wizard__lead">{finished ? t("wizard.finished") : t("wizard.lead")}</p>
      <ErrorNotice message={live.loadError || tunnels.loadError} text="checks.loadFailed" />
      <ErrorNotice message={live.runError} text="checks.runFailed" />

      <div className="wizard__layout">
        <Stepper states={states} current={current} shown={shown} />
        <article className="step" data-wizard-step={shownId} data-step-state={shownState}>
          <p className="step__count">{t("wizard.stepOf", { n: shown + 1, total: STEP_IDS.length })}</p>
          <h2 className="step__title" ref={heading} tabIndex={-1}>
            {t(stepTitles[shownId])}
          </h2>
          <p className="step__intro">{t(stepIntros[shownId])}</p>

          {checkId && (
            <CheckStep
              stepId={shownId}
              checkId={checkId}
              check={check}
              state={shownState}
              number={shown + 1}
              rerunning={live.rerunning.has(checkId)}
              onTestAgain={() => {
                // Pin the step in the address, so its verdict stays on screen even when it passes and
                // the current step moves on.
                window.location.replace(hashFor("wizard", shownId));
                void live.rerun(checkId);
              }}
              onApplyRemedy={live.applyRemedy}
              onContinueAnyway={accepted.has(shownId) ? undefined : accept}
              now={now}
              pinhole={tunnels.tunnels?.find((tunnel) => tunnel.ipv6?.pinhole)?.ipv6?.pinhole}
            />
          )}
          {shownId === "downloader" && (
            <DownloaderStep
              chosen={choice}
              onChoose={(form) => {
                setChoice(form);
                goTo("enable");
              }}
            />
          )}
          {(shownId === "enable" || shownId === "proof") && (
            <EnableStep
              choice={shownId === "enable" ? choice : null}
              tunnels={tunnels.tunnels ?? []}
              save={tunnels.save}
            />
          )}

          {next && shown < current && (
            <div className="step-actions">
              <a className="button button--primary" href={hashFor("wizard", next)}>
                {t("wizard.next", { title: t(stepTitles[next]) })}
              </a>
            </div>
          )}
        </article>
      </div>
    </section>
  );
}
