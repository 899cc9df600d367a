import type { ConnectionEvent } from "@autostun/relay";
import type { CheckState } from "../engine/model.js";
import type { BansChange } from "../relay/ban-changes.js";
import type { TunnelView } from "../relay/tunnel-view.js";

/** The host's network moved: new address, new lease, a VPN, another default route. */
export interface NetworkChange {
  /** When the change was seen (ISO 8601). */
  at: string;
  /** A description of the addresses before and after, for the log line that explains a re-run. */
  before: string;
  after: string;
}

/**
 * Every event the daemon publishes, by topic. Publishers and listeners name the topic and get its
 * payload type, so a new domain adds its topics here and nowhere else.
 */
export type DaemonEvents = {
  "check.updated": CheckState;
  "network.changed": NetworkChange;
  /** A tunnel changed state or reason (opened, recovering, failed, stopped…). */
  "tunnel.updated": TunnelView;
  /** A peer connection through a tunnel opened, moved bytes (flushed every few seconds) or closed. */
  "connection.event": ConnectionEvent;
  /** What changed in the ban list: bans made or lifted, expired, or a reload of the ban-list file. */
  "bans.changed": BansChange;
};
