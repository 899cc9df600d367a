import type { MessageKey } from "../i18n/en.js";
import type { StepId } from "./steps.js";

/** Each step's title in the stepper and above its panel. */
export const stepTitles: Readonly<Record<StepId, MessageKey>> = {
  "public-ip": "wizard.step.public-ip.title",
  nat: "wizard.step.nat.title",
  ipv6: "wizard.step.ipv6.title",
  docker: "wizard.step.docker.title",
  firewall: "wizard.step.firewall.title",
  security: "wizard.step.security.title",
  downloader: "wizard.step.downloader.title",
  enable: "wizard.step.enable.title",
  proof: "wizard.step.proof.title",
};

/** One or two sentences on why the step matters, shown under its title. */
export const stepIntros: Readonly<Record<StepId, MessageKey>> = {
  "public-ip": "wizard.step.public-ip.intro",
  nat: "wizard.step.nat.intro",
  ipv6: "wizard.step.ipv6.intro",
  docker: "wizard.step.docker.intro",
  firewall: "wizard.step.firewall.intro",
  security: "wizard.step.security.intro",
  downloader: "wizard.step.downloader.intro",
  enable: "wizard.step.enable.intro",
  proof: "wizard.step.proof.intro",
};

/**
 * What the user can still do when a step does not pass and the check's own guidance is not enough:
 * where the fix lies outside this computer, or what the alternative is.
 */
export const stepFallbacks: Readonly<Partial<Record<StepId, MessageKey>>> = {
  "public-ip": "wizard.step.public-ip.fallback",
  nat: "wizard.step.nat.fallback",
  ipv6: "wizard.step.ipv6.fallback",
  docker: "wizard.step.docker.fallback",
  firewall: "wizard.step.firewall.fallback",
  security: "wizard.step.security.fallback",
  proof: "wizard.step.proof.fallback",
};
