import { describe, expect, it } from "vitest";
import { ABORTED, TIMED_OUT, withDeadline } from "./deadline.js";

const never = () => new Promise<never>(() => {});

describe("withDeadline", () => {
  it("gives the work's value when it settles in time", async () => {
    expect(await withDeadline(async () => 42, 1_000)).toBe(42);
  });

  it("says TIMED_OUT for work that never settles, and leaves no timer behind", async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    expect(await withDeadline(never, 20)).toBe(TIMED_OUT);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length).toBe(before);
  });

  it("times work that blocks before its first await, and turns a synchronous throw into a rejection", async () => {
    await expect(
      withDeadline(() => {
        throw new Error("broke at once");
      }, 1_000),
    ).rejects.toThrow("broke at once");
  });

  it("says ABORTED when the signal aborts first, and detaches from the signal either way", async () => {
    const controller = new AbortController();
    const race = withDeadline(never, 60_000, { signal: controller.signal });
    controller.abort();
    expect(await race).toBe(ABORTED);
    const settled = new AbortController();
    await withDeadline(async () => "done", 1_000, { signal: settled.signal });
    // A listener left behind would fire here and keep the closure (and the work's result) alive.
    expect(await withDeadline(async () => "again", 1_000, { signal: settled.signal })).toBe("again");
  });

  it("does not start the work when the signal already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    let started = false;
    expect(
      await withDeadline(
        async () => {
          started = true;
        },
        1_000,
        { signal: controller.signal },
      ),
    ).toBe(ABORTED);
    expect(started).toBe(false);
  });
});
