import { afterEach, describe, expect, it, vi } from "vitest";
import { RepeatedFailureLog } from "./repeated-failure-log.js";

function recorder() {
  const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const write = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  return { lines, logger: { debug: write, info: write, warn: write, error: write } };
}

describe("RepeatedFailureLog", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("logs the first failure at once and the repeats of a minute as one line with their count", () => {
    vi.useFakeTimers();
    const { lines, logger } = recorder();
    const log = new RepeatedFailureLog(logger);
    for (let i = 0; i < 2_000; i++) log.report("connection records", "disk is full");
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.message).toBe("disk is full (1999 more times in the last minute)");
    expect(lines[1]?.fields).toMatchObject({ kind: "connection records", repeatedSinceLastLine: 1999 });
    vi.advanceTimersByTime(600_000);
    expect(lines).toHaveLength(2);
  });

  it("keeps kinds and different messages apart, and flush writes what is held back", () => {
    vi.useFakeTimers();
    const { lines, logger } = recorder();
    const log = new RepeatedFailureLog(logger);
    log.report("bans", "disk is full");
    log.report("bans", "disk is full");
    log.report("saved tunnels", "disk is full");
    log.report("bans", "I/O error");
    expect(lines.map((line) => line.message)).toEqual(["disk is full", "disk is full", "I/O error"]);
    log.flush();
    expect(lines.at(-1)?.message).toBe("disk is full (1 more time in the last minute)");
    expect(lines).toHaveLength(4);
  });
});
