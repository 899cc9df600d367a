import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildApiReport, REPORT_PATH } from "../scripts/api-report.js";

describe("the plugin API contract", () => {
  it("matches the committed api-report.d.ts (run `npm run api:update -w @autostun/plugins-api` after a deliberate change)", () => {
    expect(buildApiReport()).toBe(readFileSync(REPORT_PATH, "utf8"));
  });
});
