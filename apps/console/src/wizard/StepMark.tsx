import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { type StepState, toneOf } from "./steps.js";

const glyphs: Readonly<Record<StepState, string>> = {
  passed: "✓",
  skipped: "—",
  attention: "!",
  blocked: "✗",
  broke: "⚠",
  waiting: "",
  missing: "?",
  todo: "",
};

/** The label of a step state, for marks and screen readers. */
export const stateLabels: Readonly<Record<StepState, MessageKey>> = {
  passed: "wizard.state.passed",
  skipped: "wizard.state.skipped",
  attention: "wizard.state.attention",
  blocked: "wizard.state.blocked",
  broke: "wizard.state.broke",
  waiting: "wizard.state.waiting",
  missing: "wizard.state.missing",
  todo: "wizard.state.todo",
};

/** A round mark: glyph by state, colour by tone, a spinner while waiting, the step number when to do. */
export function StepMark({ state, number }: { state: StepState; number: number }) {
  const { t } = useI18n();
  const label = t(stateLabels[state]);
  return (
    <span
      className={`step-mark step-mark--${toneOf(state)}`}
      role="img"
      aria-label={label}
      title={label}
      data-step-mark={state}
    >
      {state === "waiting" ? <span className="spinner" aria-hidden="true" /> : glyphs[state] || number}
    </span>
  );
}
