import { describe, expect, it } from "vitest";
import { parseAccepted, serializeAccepted } from "./acceptedSteps.js";

describe("remembered accepted steps", () => {
  it("round-trips the steps the user stepped past", () => {
    const steps = parseAccepted(serializeAccepted(new Set(["docker", "public-ip"])));
    expect([...steps].sort()).toEqual(["docker", "public-ip"]);
  });

  it("drops what it cannot read or does not know instead of trusting it", () => {
    expect(parseAccepted(null).size).toBe(0);
    expect(parseAccepted("{not json").size).toBe(0);
    expect(parseAccepted('{"docker":true}').size).toBe(0);
    expect([...parseAccepted('["docker", "reboot-router", 3]')]).toEqual(["docker"]);
  });
});
