import { describe, expect, it } from "vitest";
import { formatBytes, formatRate, formatSpan } from "./format.js";

describe("formatBytes", () => {
  it("uses binary units with one decimal below ten", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatRate(2048)).toBe("2.0 KB/s");
  });
});

describe("formatSpan", () => {
  it("shows the two largest units", () => {
    expect(formatSpan(42_000)).toBe("42s");
    expect(formatSpan(309_000)).toBe("5m 09s");
    expect(formatSpan((3 * 3600 + 7 * 60) * 1000)).toBe("3h 07m");
    expect(formatSpan((2 * 86_400 + 5 * 3600) * 1000)).toBe("2d 5h");
  });
});
