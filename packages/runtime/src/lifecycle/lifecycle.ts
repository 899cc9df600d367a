import type { Logger } from "@autostun/plugins-api";
import { TIMED_OUT, withDeadline } from "../timers/deadline.js";

/** One part of the daemon that starts and stops: the database, the extension host, HTTP, a tunnel… */
export interface LifecycleStep {
  readonly name: string;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
  /** How long `stop()` may take before the daemon moves on without it. */
  stopTimeoutMs?: number;
}

export type StopOutcome = "stopped" | "timed out" | "failed";

export interface StopReport {
  name: string;
  outcome: StopOutcome;
  error?: string;
}

export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

/**
 * Starts the daemon's parts in the order they were added and stops them in reverse, each stop under a
 * time limit, so one part that hangs cannot keep the rest (or the process) from shutting down.
 */
export class Lifecycle {
  private readonly steps: LifecycleStep[] = [];
  private readonly started: LifecycleStep[] = [];
  private stopping: Promise<StopReport[]> | undefined;

  constructor(private readonly logger: Logger) {}

  add(step: LifecycleStep): this {
    if (this.steps.some((existing) => existing.name === step.name))
      throw new Error(`a lifecycle step named ${step.name} is already registered`);
    this.steps.push(step);
    return this;
  }

  /** Names in start order, for logs and tests. */
  names(): string[] {
    return this.steps.map((step) => step.name);
  }

  /**
   * Starts every step in order. When one fails, the ones already started are stopped again (newest
   * first) and the error is rethrown, so a failed start leaves nothing behind.
   */
  async start(): Promise<void> {
    for (const step of this.steps) {
      if (this.started.includes(step)) continue;
      try {
        await step.start?.();
      } catch (error) {
        this.logger.error("start failed", { step: step.name, error: errorText(error) });
        await this.stop();
        throw error;
      }
      this.started.push(step);
    }
  }

  /** Stops what started, newest first. Never throws; calling it twice waits for the first call. */
  stop(): Promise<StopReport[]> {
    this.stopping ??= this.stopAll().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async stopAll(): Promise<StopReport[]> {
    const reports: StopReport[] = [];
    while (this.started.length > 0) {
      const step = this.started.pop() as LifecycleStep;
      const report = await stopOne(step);
      if (report.outcome !== "stopped") this.logger.warn(`stop ${report.outcome}`, { ...report });
      reports.push(report);
    }
    return reports;
  }
}

async function stopOne(step: LifecycleStep): Promise<StopReport> {
  if (!step.stop) return { name: step.name, outcome: "stopped" };
  const limit = step.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  try {
    const result = await withDeadline(() => step.stop?.(), limit);
    if (result === TIMED_OUT)
      return { name: step.name, outcome: "timed out", error: `did not stop within ${limit} ms` };
    return { name: step.name, outcome: "stopped" };
  } catch (error) {
    return { name: step.name, outcome: "failed", error: errorText(error) };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
