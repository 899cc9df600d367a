import type { ConnectionEvent } from "@autostun/relay";
import type { BansChange } from "./ban-changes.js";
import type { TunnelView } from "./tunnel-view.js";

/** The topics the tunnels publish, by topic. */
export type TunnelEvents = {
  /** A tunnel changed state or reason (opened, recovering, failed, stopped…). */
  "tunnel.updated": TunnelView;
  /** A peer connection through a tunnel opened, moved bytes (flushed every few seconds) or closed. */
  "connection.event": ConnectionEvent;
  /** What changed in the ban list: bans made or lifted, expired, or a reload of the ban-list file. */
  "bans.changed": BansChange;
};
