import type { Logger } from "@autostun/plugins-api";
import { EventBus } from "@autostun/runtime";
import { describe, expect, it } from "vitest";
import type { CheckEvents } from "./check-events.js";
import { diagnosisSchedule } from "./diagnosis-schedule.js";
import type { CheckEngine } from "./engine.js";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function scheduleWith(followNetwork: boolean | undefined) {
  const bus = new EventBus<CheckEvents>();
  let runs = 0;
  const engine = {
    run: async () => {
      runs += 1;
      return [];
    },
  } as unknown as CheckEngine;
  const schedule = diagnosisSchedule({
    engine,
    bus,
    logger: silent,
    runOnStart: false,
    intervalSeconds: 0,
    ...(followNetwork === undefined ? {} : { followNetwork }),
  });
  const change = () =>
    bus.publish("network.changed", { at: new Date().toISOString(), before: "a", after: "b" });
  return { schedule, change, runs: () => runs };
}

describe("the diagnosis schedule after a network change", () => {
  it("runs the diagnosis again by default", async () => {
    const { schedule, change, runs } = scheduleWith(undefined);
    await schedule.start?.();
    change();
    expect(runs()).toBe(1);
    await schedule.stop?.();
    change();
    expect(runs()).toBe(1);
  });

  it("stays still when told not to follow the network, as test daemons are", async () => {
    const { schedule, change, runs } = scheduleWith(false);
    await schedule.start?.();
    change();
    expect(runs()).toBe(0);
    await schedule.stop?.();
  });
});
