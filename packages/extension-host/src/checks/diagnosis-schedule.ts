import type { Disposable, Logger } from "@autostun/plugins-api";
import { type EventChannel, every, type LifecycleStep, type LongTimer } from "@autostun/runtime";
import type { CheckEvents } from "./check-events.js";
import { type CheckEngine, EngineClosedError } from "./engine.js";

export interface DiagnosisScheduleOptions {
  engine: CheckEngine;
  bus: EventChannel<CheckEvents>;
  logger: Logger;
  /** `checks.runOnStart`: diagnose as soon as the daemon is up. */
  runOnStart: boolean;
  /** `checks.intervalSeconds`; 0 runs only on start, on request and when the network changes. */
  intervalSeconds: number;
  /**
   * Run again when the host's addresses change (default true). Test daemons turn it off: other tests
   * on the same machine add and remove interfaces, and a test decides itself when its checks run.
   */
  followNetwork?: boolean;
}

export type DiagnosisSchedule = LifecycleStep & {
  /** A reloaded `checks.intervalSeconds`: the next run is one new interval from now. */
  reschedule(intervalSeconds: number): void;
};

/** When the whole diagnosis runs by itself: at start, every interval, and after the network changed. */
export function diagnosisSchedule(options: DiagnosisScheduleOptions): DiagnosisSchedule {
  const { engine, bus, logger } = options;
  let timer: LongTimer | undefined;
  let running = false;
  const plan = (intervalSeconds: number) => {
    timer?.dispose();
    timer =
      running && intervalSeconds > 0
        ? every(intervalSeconds * 1000, () => void runAll("schedule"))
        : undefined;
  };
  let listening: Disposable | undefined;
  let interval = options.intervalSeconds;
  const runAll = (reason: string) =>
    engine.run().catch((error: unknown) => {
      if (!(error instanceof EngineClosedError))
        logger.error("diagnosis failed", { reason, error: String(error) });
    });
  return {
    name: "diagnosis schedule",
    start: () => {
      running = true;
      if (options.runOnStart) void runAll("start");
      plan(interval);
      if (options.followNetwork === false) return;
      listening = bus.subscribe("network.changed", (change) => {
        logger.info("the network changed; running the diagnosis again", { at: change.at });
        void runAll("network changed");
      });
    },
    stop: () => {
      running = false;
      plan(0);
      listening?.dispose();
    },
    reschedule: (intervalSeconds) => {
      interval = intervalSeconds;
      plan(intervalSeconds);
    },
  };
}
