import { watchNetwork } from "@autostun/extension-host";
import { EventBus, EXHAUSTION_LOG_INTERVAL_MS, ExhaustionReporter, exhaustionCode } from "@autostun/runtime";
import { describe, expect, it } from "vitest";
import type { DaemonEvents } from "../events/daemon-events.js";

/** What os.networkInterfaces() throws with no descriptor left (Node 20 on Linux). */
function interfaceReadFailure(): Error {
  return Object.assign(
    new Error("A system error occurred: uv_interface_addresses returned Unknown system error 24"),
    { code: "ERR_SYSTEM_ERROR", info: { errno: 24, code: "Unknown system error 24" } },
  );
}

describe("descriptor exhaustion", () => {
  it("is recognised by code, by a bare errno, in a cause, and not in other errors", () => {
    expect(exhaustionCode(Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }))).toBe("EMFILE");
    expect(exhaustionCode(Object.assign(new Error("x"), { code: "ENFILE" }))).toBe("ENFILE");
    expect(exhaustionCode(interfaceReadFailure())).toBe("EMFILE");
    expect(exhaustionCode(new Error("wrapped", { cause: interfaceReadFailure() }))).toBe("EMFILE");
    expect(exhaustionCode(Object.assign(new Error("refused"), { code: "ECONNREFUSED", errno: -111 }))).toBe(
      undefined,
    );
    expect(exhaustionCode("EMFILE as a string is not an error object")).toBe(undefined);
  });

  it("is logged once a minute per place, with the count in between", () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const reporter = new ExhaustionReporter(
      { warn: (_message, fields) => void lines.push(fields ?? {}) },
      () => now,
    );
    for (let i = 0; i < 5; i++)
      expect(reporter.report("reading the network interfaces", interfaceReadFailure())).toBe(true);
    expect(reporter.report("making a tunnel", interfaceReadFailure())).toBe(true);
    expect(lines).toHaveLength(2);
    now += EXHAUSTION_LOG_INTERVAL_MS;
    reporter.report("reading the network interfaces", interfaceReadFailure());
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ code: "EMFILE", sinceLastLine: 4 });
    expect(reporter.report("anything", new Error("not exhaustion"))).toBe(false);
    expect(lines).toHaveLength(3);
  });

  it("the network watch skips a read that throws and keeps polling instead of ending the process", async () => {
    const bus = new EventBus<DaemonEvents>();
    const changes: unknown[] = [];
    bus.subscribe("network.changed", (change) => changes.push(change));
    const errors: unknown[] = [];
    const reads = ["a", "FAIL", "FAIL", "b"];
    const watch = watchNetwork(
      bus,
      (error) => errors.push(error),
      5,
      () => {
        const next = reads.shift() ?? "b";
        if (next === "FAIL") throw interfaceReadFailure();
        return next;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    watch.dispose();
    expect(errors).toHaveLength(2);
    expect(changes).toEqual([expect.objectContaining({ before: "a", after: "b" })]);
  });
});
