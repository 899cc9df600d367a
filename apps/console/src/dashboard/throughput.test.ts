import { describe, expect, it } from "vitest";
import { extendHistory, rateBetween } from "./throughput.js";

describe("rateBetween", () => {
  it("divides the bytes moved by the seconds between two readings, each way", () => {
    const rate = rateBetween(
      { at: 10_000, bytesIn: 1000, bytesOut: 50 },
      { at: 12_000, bytesIn: 5000, bytesOut: 250 },
    );
    expect(rate).toEqual({ inPerSecond: 2000, outPerSecond: 100 });
  });

  it("reads a counter that went down (the daemon restarted) as no traffic, not a negative rate", () => {
    const rate = rateBetween(
      { at: 0, bytesIn: 9000, bytesOut: 9000 },
      { at: 2000, bytesIn: 10, bytesOut: 10 },
    );
    expect(rate).toEqual({ inPerSecond: 0, outPerSecond: 0 });
  });

  it("gives no rate for readings at the same instant or out of order", () => {
    expect(
      rateBetween({ at: 5, bytesIn: 0, bytesOut: 0 }, { at: 5, bytesIn: 10, bytesOut: 0 }).inPerSecond,
    ).toBe(0);
    expect(
      rateBetween({ at: 9, bytesIn: 0, bytesOut: 0 }, { at: 5, bytesIn: 10, bytesOut: 0 }).inPerSecond,
    ).toBe(0);
  });
});

describe("extendHistory", () => {
  it("takes the first reading as the baseline only", () => {
    expect(extendHistory([], undefined, { at: 0, bytesIn: 100, bytesOut: 0 })).toEqual([]);
  });

  it("adds both directions together and keeps only the newest points", () => {
    let history = extendHistory(
      [],
      { at: 0, bytesIn: 0, bytesOut: 0 },
      { at: 1000, bytesIn: 300, bytesOut: 100 },
    );
    expect(history).toEqual([{ at: 1000, perSecond: 400 }]);
    history = extendHistory(
      history,
      { at: 1000, bytesIn: 300, bytesOut: 100 },
      { at: 2000, bytesIn: 300, bytesOut: 100 },
      1,
    );
    expect(history).toEqual([{ at: 2000, perSecond: 0 }]);
  });
});
