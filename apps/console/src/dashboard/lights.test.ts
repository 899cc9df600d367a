import { describe, expect, it } from "vitest";
import { lightFor, wizardHref } from "./lights.js";

describe("lightFor", () => {
  it("colours verdicts green, amber and red, and waiting or skipped checks grey", () => {
    expect(lightFor("PASS").tone).toBe("green");
    expect(lightFor("WARN").tone).toBe("amber");
    expect(lightFor("FAIL").tone).toBe("red");
    for (const status of ["PENDING", "RUNNING", "SKIP"]) expect(lightFor(status).tone).toBe("grey");
  });

  it("shows ERROR as a broken check, not as a failing network", () => {
    expect(lightFor("ERROR")).toEqual({ tone: "broke", label: "dashboard.light.ERROR" });
    expect(lightFor("ERROR").tone).not.toBe(lightFor("FAIL").tone);
    expect(lightFor("SOMETHING_NEW").tone).toBe("broke");
  });
});

describe("wizardHref", () => {
  it("links to the check's wizard step", () => {
    expect(wizardHref("nat.type")).toBe("#/wizard/nat.type");
    expect(wizardHref("my plugin/check")).toBe("#/wizard/my%20plugin%2Fcheck");
  });
});
