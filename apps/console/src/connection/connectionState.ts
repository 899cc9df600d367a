/** What the user is told about the link to the daemon. */
export type ConnectionPhase = "connecting" | "live" | "reconnecting" | "offline";

/** The link's state: the phase shown, plus what the next event needs to know. */
export interface ConnectionState {
  phase: ConnectionPhase;
  /** Attempts that ended without a connection since the last success. */
  failures: number;
  /** Whether a connection ever succeeded, to tell a first attempt from a reconnection. */
  wasLive: boolean;
}

/** What the WebSocket client reports. `fatal` closures (bad token, bad request) are not retried. */
export type LinkEvent = { type: "connecting" } | { type: "connected" } | { type: "closed"; fatal: boolean };

/** How many failed attempts in a row turn "reconnecting" into "offline" while retries go on. */
export const OFFLINE_AFTER_FAILURES = 3;

/** The state before anything happened. */
export const initialConnectionState: ConnectionState = { phase: "connecting", failures: 0, wasLive: false };

/**
 * Folds one client event into the state. A single dropped socket reads as "reconnecting"; only a
 * closure that will not be retried or a run of failures reads as "offline", so a blip does not alarm.
 */
export function nextConnectionState(state: ConnectionState, event: LinkEvent): ConnectionState {
  switch (event.type) {
    case "connected":
      return { phase: "live", failures: 0, wasLive: true };
    case "connecting":
      if (state.phase === "offline") return state;
      return { ...state, phase: state.wasLive ? "reconnecting" : "connecting" };
    case "closed": {
      const failures = state.phase === "live" ? 0 : state.failures + 1;
      const offline = event.fatal || failures >= OFFLINE_AFTER_FAILURES;
      const phase: ConnectionPhase = offline ? "offline" : state.wasLive ? "reconnecting" : "connecting";
      return { ...state, phase, failures };
    }
  }
}

/** Whether the statuses on screen follow the daemon right now. */
export function isCurrent(phase: ConnectionPhase): boolean {
  return phase === "live";
}
