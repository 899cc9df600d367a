import { hashFor } from "../common/routes.js";
import type { CheckStatus } from "../graphql/types.js";
import type { MessageKey } from "../i18n/en.js";
import { STEP_CHECKS } from "../wizard/steps.js";

/** The colour of a status light. `broke` is its own colour: the check failed to run, not the network. */
export type LightTone = "green" | "amber" | "red" | "grey" | "broke";

export interface Light {
  tone: LightTone;
  label: MessageKey;
}

const lights: Readonly<Record<CheckStatus, Light>> = {
  PASS: { tone: "green", label: "dashboard.light.PASS" },
  WARN: { tone: "amber", label: "dashboard.light.WARN" },
  FAIL: { tone: "red", label: "dashboard.light.FAIL" },
  ERROR: { tone: "broke", label: "dashboard.light.ERROR" },
  SKIP: { tone: "grey", label: "dashboard.light.SKIP" },
  PENDING: { tone: "grey", label: "dashboard.light.PENDING" },
  RUNNING: { tone: "grey", label: "dashboard.light.RUNNING" },
};

/**
 * The light for a check status. A status this console does not know (a newer daemon) shows as a
 * broken check: the console cannot tell whether it is good news.
 */
export function lightFor(status: string): Light {
  return lights[status as CheckStatus] ?? lights.ERROR;
}

/** Where one check is explained and run again: its wizard step, or the checks page when no step shows it. */
export function checkHref(checkId: string): { href: string; inWizard: boolean } {
  const inWizard = Object.values(STEP_CHECKS).includes(checkId);
  return { href: inWizard ? hashFor("wizard", checkId) : hashFor("checks"), inWizard };
}
