import { describe, expect, it } from "vitest";
import { parseDateTime } from "./builder.js";

describe("the DateTime scalar", () => {
  it("takes ISO 8601 date-times with their offset, as a client sends them", () => {
    for (const text of ["2026-01-31T12:00:00Z", "2026-01-31T12:00:00.250Z", "2026-01-31T13:00:00+01:00"])
      expect(parseDateTime(text)).toBe(text);
  });

  it("refuses what Date.parse would guess at, naming the value and the form it wants", () => {
    for (const value of [
      "Jan 31 2026",
      "2026-01-31",
      "2026-01-31T12:00:00",
      "2026-02-30T25:00:00Z",
      1_769_860_800,
    ])
      expect(() => parseDateTime(value)).toThrow(
        `DateTime expects an ISO 8601 date and time with its offset, e.g. 2026-01-31T12:00:00Z; got ${JSON.stringify(value)}`,
      );
  });
});
