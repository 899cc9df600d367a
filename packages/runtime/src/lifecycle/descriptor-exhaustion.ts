import type { Logger } from "@autostun/plugins-api";
import type { LifecycleStep } from "./lifecycle.js";

/** Linux errno values: EMFILE (this process's limit) and ENFILE (the whole system's). */
const EMFILE = 24;
const ENFILE = 23;

/**
 * Whether `error` says the process (EMFILE) or the system (ENFILE) ran out of file descriptors. Node
 * reports some of them only as a number: `os.networkInterfaces()` throws "uv_interface_addresses
 * returned Unknown system error 24", with the errno in `info`.
 */
export function exhaustionCode(error: unknown): "EMFILE" | "ENFILE" | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; errno?: unknown; info?: { errno?: unknown }; message?: unknown };
    const numbers = [e.errno, e.info?.errno].map((n) => (typeof n === "number" ? Math.abs(n) : undefined));
    if (e.code === "EMFILE" || numbers.includes(EMFILE)) return "EMFILE";
    if (e.code === "ENFILE" || numbers.includes(ENFILE)) return "ENFILE";
    if (typeof e.message === "string" && /\bEMFILE\b|too many open files/i.test(e.message)) return "EMFILE";
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How often the same exhaustion is logged again while it lasts. */
export const EXHAUSTION_LOG_INTERVAL_MS = 60_000;

/**
 * Logs running out of descriptors once per minute per place, with how often it happened in between:
 * while the limit is reached every poll and every connection fails the same way, and a line for each
 * would bury everything else in the log (or fill the disk).
 */
export class ExhaustionReporter {
  private readonly last = new Map<string, { at: number; missed: number }>();

  constructor(
    private readonly logger: Pick<Logger, "warn">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reports `error` if it is an exhaustion; returns whether it was one. */
  report(where: string, error: unknown): boolean {
    const code = exhaustionCode(error);
    if (!code) return false;
    const seen = this.last.get(where);
    const now = this.now();
    if (seen && now - seen.at < EXHAUSTION_LOG_INTERVAL_MS) {
      seen.missed++;
      return true;
    }
    this.last.set(where, { at: now, missed: 0 });
    const whose = code === "EMFILE" ? "this process's open-files limit" : "the system's open-files limit";
    this.logger.warn(
      `out of file descriptors (${code}: too many open files, ${whose}) while ${where}; AutoSTUN keeps running and retries. ` +
        "Close idle connections to it, lower limits.maxTunnels, or raise the limit (LimitNOFILE= in the systemd unit, ulimit -n).",
      {
        code,
        where,
        error: error instanceof Error ? error.message : String(error),
        ...(seen?.missed ? { sinceLastLine: seen.missed } : {}),
      },
    );
    return true;
  }
}

/**
 * The last net under every callback: a descriptor exhaustion thrown where nothing caught it is logged
 * and the daemon goes on, since the API and the other tunnels still work and the descriptors come back.
 * Anything else still ends the process as Node would, with the stack on stderr and exit code 1.
 * Installed only where nobody else watches uncaught exceptions (not inside a test runner).
 */
export function exhaustionSafetyNet(reporter: ExhaustionReporter): LifecycleStep {
  const onUncaught = (error: unknown) => {
    if (reporter.report("running a timer or callback", error)) return;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  let installed = false;
  return {
    name: "descriptor safety net",
    start: () => {
      if (process.listenerCount("uncaughtException") > 0) return;
      process.on("uncaughtException", onUncaught);
      installed = true;
    },
    stop: () => {
      if (installed) process.off("uncaughtException", onUncaught);
      installed = false;
    },
  };
}
