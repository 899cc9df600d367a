import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/I18nContext.js";
import { isOptionalStep, type StepId, type StepState, toneOf } from "./steps.js";

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

/**
 * The label of a step's state: a failure on a step beside the tunnel (IPv6) is worth fixing, not a must,
 * since the IPv4 tunnel works without it.
 */
export function stateLabelOf(state: StepState, step?: StepId): MessageKey {
  return state === "blocked" && step !== undefined && isOptionalStep(step)
    ? "wizard.state.blockedOptional"
    : stateLabels[state];
}

/** A round mark: glyph by state, colour by tone, a spinner while waiting, the step number when to do. */
export function StepMark({ state, number, step }: { state: StepState; number: number; step?: StepId }) {
  const { t } = useI18n();
  const label = t(stateLabelOf(state, step));
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
