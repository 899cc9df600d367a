import { describe, expect, it } from "vitest";
import { hashFor, landingRoute, routeFromHash, subpathFromHash } from "./routes.js";

describe("routeFromHash", () => {
  it("reads the page from the hash, with or without the slash and in any case", () => {
    expect(routeFromHash("#/checks")).toBe("checks");
    expect(routeFromHash("#bans")).toBe("bans");
    expect(routeFromHash("#/Wizard/nat")).toBe("wizard");
    expect(routeFromHash("#/connections?tunnel=qb")).toBe("connections");
  });

  it("knows no page for an empty or unknown hash, so the landing rule decides", () => {
    expect(routeFromHash("")).toBeUndefined();
    expect(routeFromHash("#/")).toBeUndefined();
    expect(routeFromHash("#/settings")).toBeUndefined();
  });
});

describe("subpathFromHash and hashFor", () => {
  it("round-trips a place inside a page", () => {
    expect(hashFor("wizard", "nat")).toBe("#/wizard/nat");
    expect(subpathFromHash(hashFor("wizard", "nat"))).toBe("nat");
    expect(subpathFromHash("#/wizard")).toBeUndefined();
    expect(hashFor("checks")).toBe("#/checks");
  });
});

describe("landingRoute", () => {
  it("sends a first-time user (no tunnel) to the wizard and others to the dashboard", () => {
    expect(landingRoute(0)).toBe("wizard");
    expect(landingRoute(2)).toBe("dashboard");
  });

  it("waits while the tunnel count is unknown instead of guessing", () => {
    expect(landingRoute(undefined)).toBeUndefined();
  });
});
