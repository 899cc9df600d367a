import { hashFor } from "../common/routes.js";
import { useI18n } from "../i18n/I18nContext.js";
import { StepMark, stateLabelOf } from "./StepMark.js";
import { STEP_IDS, type StepState } from "./steps.js";
import { stepTitles } from "./stepText.js";

interface StepperProps {
  states: readonly StepState[];
  /** Index of the first step not done; later ones are locked. */
  current: number;
  /** Index of the step on screen. */
  shown: number;
}

/**
 * The steps as an ordered list of links. Reached steps are links (Tab, Enter, back button all work);
 * locked ones are plain text the keyboard skips, with their state still announced.
 */
export function Stepper({ states, current, shown }: StepperProps) {
  const { t } = useI18n();
  return (
    <nav className="stepper" aria-label={t("wizard.steps")}>
      <ol className="stepper__list">
        {STEP_IDS.map((id, index) => {
          const state = states[index] ?? "todo";
          const body = (
            <>
              <StepMark state={state} number={index + 1} step={id} />
              <span className="stepper__title">{t(stepTitles[id])}</span>
              <span className="visually-hidden">({t(stateLabelOf(state, id))})</span>
            </>
          );
          return (
            <li key={id} className="stepper__item" data-wizard-nav={id} data-step-state={state}>
              {index <= current ? (
                <a
                  className="stepper__link"
                  href={hashFor("wizard", id)}
                  aria-current={index === shown ? "step" : undefined}
                >
                  {body}
                </a>
              ) : (
                <span className="stepper__link stepper__link--locked">{body}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
