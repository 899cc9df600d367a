import { describe, expect, it } from "vitest";
import { enter, leave } from "./inFlight.js";

describe("enter and leave", () => {
  it("keep a key busy until every overlapping request for it has ended", () => {
    let counts = enter(new Map(), "qb");
    counts = enter(counts, "qb");
    counts = enter(counts, "tr");
    counts = leave(counts, "qb");
    expect([...counts.keys()]).toEqual(["qb", "tr"]);
    counts = leave(counts, "qb");
    counts = leave(counts, "tr");
    expect(counts.size).toBe(0);
    // A stray leave does not go negative or invent a key.
    expect(leave(counts, "qb").size).toBe(0);
  });
});
