import { expect, it } from "vitest";
import { run } from "./run.js";

it("reports the exit of a program that quits without reading its input, instead of dying on EPIPE", async () => {
  // More than a pipe holds, so the write is still going when the program is gone.
  const result = await run("sh", ["-c", "exit 3"], { input: "x".repeat(8 * 1024 * 1024) });
  expect(result.code).toBe(3);
});
