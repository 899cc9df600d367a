import type { CheckState } from "../contributions/model.js";

/** The host's network moved: new address, new lease, a VPN, another default route. */
export interface NetworkChange {
  /** When the change was seen (ISO 8601). */
  at: string;
  /** A description of the addresses before and after, for the log line that explains a re-run. */
  before: string;
  after: string;
}

/** The topics the check engine publishes and listens to, by topic. */
export type CheckEvents = {
  "check.updated": CheckState;
  "network.changed": NetworkChange;
};
