import { describe, expect, it } from "vitest";
import { sparklinePoints } from "./sparkline.js";

const box = { width: 100, height: 20 };

describe("sparklinePoints", () => {
  it("spans time over the width and puts the peak at the top", () => {
    const points = sparklinePoints(
      [
        { at: 0, perSecond: 0 },
        { at: 1000, perSecond: 50 },
        { at: 4000, perSecond: 100 },
      ],
      box,
    );
    expect(points).toBe("0,20 25,10 100,0");
  });

  it("draws an idle tunnel along the bottom edge", () => {
    expect(
      sparklinePoints(
        [
          { at: 0, perSecond: 0 },
          { at: 2000, perSecond: 0 },
        ],
        box,
      ),
    ).toBe("0,20 100,20");
  });

  it("draws nothing without points, and one point at the right edge", () => {
    expect(sparklinePoints([], box)).toBe("");
    expect(sparklinePoints([{ at: 5, perSecond: 7 }], box)).toBe("100,0");
  });
});
