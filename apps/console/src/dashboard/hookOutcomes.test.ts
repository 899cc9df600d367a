import { describe, expect, it } from "vitest";
import { hookLines } from "./hookOutcomes.js";

const run = {
  ok: false,
  lastRunAt: "2026-05-01T12:00:00.000Z",
  publicAddress: { ip: "203.0.113.5", port: 40666 },
};

describe("hookLines", () => {
  it("lists the hooks that ran, command first, each with its own outcome", () => {
    const lines = hookLines({
      ...run,
      webhook: { ok: false, error: "503 Service Unavailable", output: null },
      command: { ok: true, error: null, output: null },
    });
    expect(lines).toEqual([
      { hook: "command", outcome: { ok: true, error: null, output: null } },
      { hook: "webhook", outcome: { ok: false, error: "503 Service Unavailable", output: null } },
    ]);
  });

  it("shows only the hook a tunnel has", () => {
    expect(
      hookLines({ ...run, command: null, webhook: { ok: true, error: null, output: null } }).map(
        (l) => l.hook,
      ),
    ).toEqual(["webhook"]);
    expect(hookLines({ ...run, command: null, webhook: null })).toEqual([]);
  });
});
