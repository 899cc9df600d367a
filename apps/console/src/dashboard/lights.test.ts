import { describe, expect, it } from "vitest";
import { checkHref, lightFor } from "./lights.js";

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

describe("checkHref", () => {
  it("links a check a wizard step shows to that step", () => {
    expect(checkHref("nat.type")).toEqual({ href: "#/wizard/nat.type", inWizard: true });
  });
  it("links any other check (a plugin's, upnp.gateway) to the checks page, not to a wizard step it has not", () => {
    expect(checkHref("upnp.gateway")).toEqual({ href: "#/checks", inWizard: false });
    expect(checkHref("my plugin/check")).toEqual({ href: "#/checks", inWizard: false });
  });
});
