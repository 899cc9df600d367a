/** How many subscriptions one client address may hold at once, unless api.subscriptions.perClient says. */
export const DEFAULT_SUBSCRIPTIONS_PER_CLIENT = 128;
/** How many subscriptions the daemon holds at once, unless api.subscriptions.total says. */
export const DEFAULT_SUBSCRIPTIONS_TOTAL = 1024;
/** Highest value either setting takes. */
export const MAX_SUBSCRIPTIONS_SETTING = 100_000;
