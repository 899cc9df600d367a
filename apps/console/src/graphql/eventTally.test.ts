import { describe, expect, it } from "vitest";
import { EventTally } from "./eventTally.js";

describe("EventTally", () => {
  it("says an answer was overtaken once an event about the same tunnel came after the request left", () => {
    const tally = new EventTally();
    tally.saw("lab");
    const mark = tally.mark("lab");
    // Nothing since: the answer is the newest view there is.
    expect(tally.overtaken("lab", mark)).toBe(false);
    // Another tunnel's events say nothing about this one.
    tally.saw("qb");
    expect(tally.overtaken("lab", mark)).toBe(false);
    // OPENING, then OPEN, reached the page before the answer to Start.
    tally.saw("lab");
    tally.saw("lab");
    expect(tally.overtaken("lab", mark)).toBe(true);
  });

  it("starts every tunnel it has not heard of at nothing seen", () => {
    const tally = new EventTally();
    const mark = tally.mark("new");
    expect(mark).toBe(0);
    expect(tally.overtaken("new", mark)).toBe(false);
    tally.saw("new");
    expect(tally.overtaken("new", mark)).toBe(true);
  });
});
