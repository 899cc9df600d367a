/**
 * English strings of the console's own interface. Check titles, summaries and guidance are not here:
 * the daemon renders those in the requested locale.
 */
export const en = {
  "app.title": "AutoSTUN",
  "app.subtitle": "Network diagnosis",
  "language.label": "Language",
  "connection.live": "Live",
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…",
  "connection.offline": "Offline",
  "connection.liveHint": "Statuses update as checks finish.",
  "connection.staleHint": "Not connected to the daemon: statuses shown may be out of date.",
  "checks.run": "Run checks",
  "checks.running": "Running…",
  "checks.rerun": "Re-run",
  "checks.loading": "Loading checks…",
  "checks.empty": "The daemon reports no checks.",
  "checks.loadFailed": "Could not load the checks from the daemon: {message}",
  "checks.runFailed": "Running the checks failed: {message}",
  "checks.retry": "Try again",
  "checks.tally.busy": "In progress",
  "checks.duration.ms": "{value} ms",
  "checks.duration.s": "{value} s",
  "checks.noSummary": "No result yet.",
  "checks.brokeHint":
    "The check itself could not finish, so it says nothing about your network yet. Re-run it; if it keeps breaking, report it together with its facts.",
  "status.PASS": "Passed",
  "status.WARN": "Warning",
  "status.FAIL": "Failed",
  "status.ERROR": "Check broke",
  "status.SKIP": "Skipped",
  "status.RUNNING": "Running",
  "status.PENDING": "Waiting",
  "guidance.docs": "Read more",
  "facts.show": "Facts",
  "facts.none": "No facts recorded.",
  "remedy.needsRoot": "needs administrator rights",
  "remedy.confirmTitle": "Apply “{title}”?",
  "remedy.commands": "Equivalent commands, if you prefer to run them yourself:",
  "remedy.apply": "Apply",
  "remedy.applying": "Applying…",
  "remedy.cancel": "Cancel",
  "remedy.close": "Close",
  "remedy.failed": "Could not apply the fix: {message}",
  "token.title": "API token required",
  "token.explain":
    "This daemon only answers requests that carry its API token. Paste the value of api.token from its config file.",
  "token.rejected": "The daemon rejected the saved token. Paste the current one.",
  "token.label": "API token",
  "token.save": "Connect",
} as const;

/** Every key of the interface strings. */
export type MessageKey = keyof typeof en;

/** A complete catalog: one string per key. */
export type Messages = { readonly [K in MessageKey]: string };
