import type { CheckEvents } from "@autostun/extension-host";
import type { TunnelEvents } from "@autostun/tunnels";

/**
 * Every event the daemon publishes, by topic: each domain package declares its own topics and the
 * daemon's one bus carries them all, so publishers and listeners name a topic and get its payload type.
 */
export type DaemonEvents = CheckEvents & TunnelEvents;
