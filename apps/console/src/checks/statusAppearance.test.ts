import { describe, expect, it } from "vitest";
import type { CheckStatus } from "../graphql/types.js";
import { statusAppearance } from "./statusAppearance.js";

describe("statusAppearance", () => {
  it("draws the doctor-style marks for verdicts", () => {
    expect(statusAppearance("PASS").glyph).toBe("✓");
    expect(statusAppearance("WARN").glyph).toBe("!");
    expect(statusAppearance("FAIL").glyph).toBe("✗");
    expect(statusAppearance("SKIP").glyph).toBe("—");
  });

  it("never shows a broken check like a failed one", () => {
    const broke = statusAppearance("ERROR");
    const failed = statusAppearance("FAIL");
    expect(broke.glyph).not.toBe(failed.glyph);
    expect(broke.tone).not.toBe(failed.tone);
    expect(broke.label).not.toBe(failed.label);
  });

  it("spins while a check is running or waiting, and shows no glyph then", () => {
    for (const status of ["RUNNING", "PENDING"] as const) {
      expect(statusAppearance(status)).toMatchObject({ busy: true, glyph: "" });
    }
  });

  it("opens the guidance exactly for the statuses that need the user", () => {
    const all: CheckStatus[] = ["PENDING", "RUNNING", "PASS", "WARN", "FAIL", "SKIP", "ERROR"];
    expect(all.filter((status) => statusAppearance(status).needsAttention)).toEqual([
      "WARN",
      "FAIL",
      "ERROR",
    ]);
  });

  it("shows a status from a newer daemon as a broken check rather than hiding it", () => {
    expect(statusAppearance("CANCELLED").tone).toBe("error");
  });
});
