/**
 * The longest re-run schedule the config accepts: a week. Longer than that, a daemon is restarted (or the
 * network changes, which re-runs the checks anyway) before the schedule would ever fire.
 */
export const MAX_SCHEDULE_SECONDS = 7 * 24 * 60 * 60;

/**
 * How many values a config file may expand to once YAML aliases are followed. A real config has a few
 * hundred; the limit leaves room for large per-plugin settings while refusing an alias bomb long before
 * it costs memory.
 */
export const MAX_EXPANDED_VALUES = 100_000;

/** Most closed connections kept for listings: enough for a busy day of a large swarm, small enough to page. */
export const MAX_CONNECTION_ROWS = 1_000_000;

/** Longest a closed connection is kept: 90 days. */
export const MAX_RETENTION_HOURS = 90 * 24;

/** Default and most tunnels one daemon runs (config file and API together); each holds sockets and timers. */
export const DEFAULT_MAX_TUNNELS = 32;
export const MAX_TUNNELS = 1024;
