import { EngineClosedError } from "@autostun/extension-host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Daemon } from "../daemon.js";
import { startTestDaemon } from "../testing/daemon.js";
import { writePlugins } from "../testing/plugins.js";
import { english } from "../testing/text.js";
import { Tokens } from "../tokens.js";

// A check that ignores its signal and never ends, and one that answers after a short while.
const pluginsDir = writePlugins([
  {
    name: "stuck",
    checks: [{ id: "stuck.forever", timeoutMs: 600_000 }],
    activate: `context.registerCheck("stuck.forever", { run: () => new Promise(() => {}) });`,
  },
  {
    name: "slow",
    checks: [{ id: "slow.answer" }],
    activate: `context.registerCheck("slow.answer", { async run() {
      await new Promise((r) => setTimeout(r, 300));
      return { status: "PASS", summary: "answered" };
    } });`,
  },
]);

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

describe("cancelling checks", () => {
  it("stops a check whose only requester went away, without waiting for the check's own timeout", async () => {
    const requester = new AbortController();
    const running = daemon.engine.run(["stuck.forever"], { signal: requester.signal });
    setTimeout(() => requester.abort(new Error("client disconnected")), 100);
    const [state] = await running;
    expect(state?.status).toBe("ERROR");
    expect(english(state?.summary)).toContain("client disconnected");
  });

  it("keeps the last real verdict on disk when a run is cancelled", async () => {
    await daemon.engine.run(["slow.answer"]);
    const requester = new AbortController();
    const running = daemon.engine.run(["slow.answer"], { signal: requester.signal });
    requester.abort(new Error("gone"));
    expect((await running)[0]?.status).toBe("ERROR");
    const store = daemon.container.resolve<import("@autostun/extension-host").CheckStore>(Tokens.CheckStore);
    expect(store.latest().find((s) => s.id === "slow.answer")?.status).toBe("PASS");
  });

  it("lets a shared check finish for the run that still waits for it", async () => {
    const leaving = new AbortController();
    const first = daemon.engine.run(["slow.answer"], { signal: leaving.signal });
    const second = daemon.engine.run(["slow.answer"]);
    await new Promise((r) => setTimeout(r, 50));
    leaving.abort(new Error("first client left"));
    const [a, b] = await Promise.all([first, second]);
    expect(b[0]?.status).toBe("PASS");
    expect(a[0]?.status).toBe("PASS");
  });

  it("ends every running check on cancelAll and refuses new runs afterwards", async () => {
    const own = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
    try {
      const running = own.engine.run(["stuck.forever", "slow.answer"]);
      await new Promise((r) => setTimeout(r, 50));
      own.engine.cancelAll("the daemon is stopping");
      const states = await running;
      expect(states.find((s) => s.id === "stuck.forever")?.status).toBe("ERROR");
      expect(english(states.find((s) => s.id === "stuck.forever")?.summary)).toContain(
        "the daemon is stopping",
      );
      await own.engine.idle();
      await expect(own.engine.run(["slow.answer"])).rejects.toBeInstanceOf(EngineClosedError);
    } finally {
      await own.stop();
    }
  });
});
