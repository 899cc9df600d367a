/**
 * Vitest helpers: labs that tear themselves down when the test (or suite) ends.
 * Imported as `@autostun/netlab/testing` so the main entry stays free of vitest.
 */
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { createLab } from "./lab/create-lab.js";
import type { Lab, LabOptions } from "./lab/types.js";

/** Anything with vitest's `onTestFinished`, e.g. the context of a concurrent test. */
export interface FinishHook {
  onTestFinished(fn: () => unknown): void;
}

/**
 * Build a lab for the running test and tear it down when the test finishes. Inside
 * `test.concurrent` pass the test context so the teardown binds to the right test.
 */
export async function createTestLab(options: LabOptions, context?: FinishHook): Promise<Lab> {
  const lab = await createLab(options);
  (context?.onTestFinished ?? onTestFinished)(() => lab.teardown());
  return lab;
}

/**
 * One lab for a whole `describe` block: built in beforeAll, torn down in afterAll.
 * Returns a getter, since the lab exists only once beforeAll has run.
 */
export function useLab(options: LabOptions): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await createLab(options);
  });
  afterAll(async () => {
    await lab?.teardown();
  });
  return () => {
    if (!lab) throw new Error("netlab: useLab()'s lab is only available inside tests (after beforeAll)");
    return lab;
  };
}

/**
 * Gives the lab's LAN host a second address (`.50` of its subnet) and makes the default route leave
 * from it: the host's first address (`lab.lanIp`) is then no longer the private side of any new
 * mapping, as on a host with two interfaces. Returns the second address.
 */
export async function routeLanFromSecondAddress(lab: Lab): Promise<string> {
  const second = lab.lanIp.replace(/\.\d+$/, ".50");
  for (const args of [
    ["addr", "add", `${second}/24`, "dev", "eth0"],
    ["route", "replace", "default", "via", lab.lanGatewayIp, "dev", "eth0", "src", second],
  ]) {
    const done = await lab.exec("lan", "ip", args);
    if (done.code !== 0) throw new Error(`ip ${args.join(" ")} in the LAN failed: ${done.stderr}`);
  }
  return second;
}
