import type { Logger } from "@autostun/plugins-api";
import type { ForwardTarget } from "../target/validate-target.js";

/** At most one line per this many ms while the target keeps failing; the count of the rest follows. */
const QUIET_MS = 10_000;

/**
 * Logs failures to reach the target. A stopped downloader makes every peer fail the same way, so
 * repeats are summarised instead of flooding the log.
 */
export class TargetErrorReporter {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly target: ForwardTarget,
    private readonly logger: Logger | undefined,
  ) {}

  report(error: NodeJS.ErrnoException): void {
    const now = Date.now();
    if (now - this.lastLoggedAt < QUIET_MS) {
      this.suppressed++;
      return;
    }
    this.lastLoggedAt = now;
    const code = error.code ?? error.message;
    this.logger?.error(
      `tunnel "${this.target.tunnelId}": cannot reach target ${this.target.text} (${code}); the peer was closed. ` +
        "Is the downloader running and listening on that port?",
      {
        tunnel: this.target.tunnelId,
        target: this.target.text,
        error: code,
        ...(this.suppressed > 0 ? { alsoFailedSinceLastReport: this.suppressed } : {}),
      },
    );
    this.suppressed = 0;
  }
}
