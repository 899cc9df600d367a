import type { Logger } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { Lifecycle } from "./lifecycle.js";

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
  };
}

describe("the daemon's lifecycle", () => {
  it("starts in order and stops in reverse", async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle(recordingLogger([]));
    for (const name of ["database", "extensions", "http"]) {
      lifecycle.add({
        name,
        start: () => void order.push(`start ${name}`),
        stop: () => void order.push(`stop ${name}`),
      });
    }
    await lifecycle.start();
    await lifecycle.stop();
    expect(order).toEqual([
      "start database",
      "start extensions",
      "start http",
      "stop http",
      "stop extensions",
      "stop database",
    ]);
  });

  it("moves on from a step that hangs in stop, and still stops the ones before it", async () => {
    const lines: string[] = [];
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(recordingLogger(lines))
      .add({ name: "database", stop: () => void stopped.push("database") })
      .add({ name: "stuck", stop: () => new Promise(() => {}), stopTimeoutMs: 50 })
      .add({ name: "broken", stop: () => Promise.reject(new Error("socket already gone")) });
    await lifecycle.start();
    const reports = await lifecycle.stop();
    expect(reports).toEqual([
      { name: "broken", outcome: "failed", error: "socket already gone" },
      { name: "stuck", outcome: "timed out", error: "did not stop within 50 ms" },
      { name: "database", outcome: "stopped" },
    ]);
    expect(stopped).toEqual(["database"]);
    expect(lines.some((line) => line.includes("stuck"))).toBe(true);
  });

  it("undoes a half-done start when a step fails to start", async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(recordingLogger([]))
      .add({ name: "database", stop: () => void stopped.push("database") })
      .add({ name: "http", start: () => Promise.reject(new Error("port 7878 is in use")) })
      .add({ name: "never", start: () => void stopped.push("never started") });
    await expect(lifecycle.start()).rejects.toThrow("port 7878 is in use");
    expect(stopped).toEqual(["database"]);
  });

  it("refuses two steps with one name", () => {
    const lifecycle = new Lifecycle(recordingLogger([])).add({ name: "http" });
    expect(() => lifecycle.add({ name: "http" })).toThrow(/already registered/);
  });
});
