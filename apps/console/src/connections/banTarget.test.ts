import { describe, expect, it } from "vitest";
import { banCidrFor } from "./banTarget.js";

describe("banCidrFor", () => {
  it("bans exactly the peer's host, IPv4 or IPv6", () => {
    expect(banCidrFor("88.77.66.10:51413")).toBe("88.77.66.10/32");
    expect(banCidrFor("[2001:db8::7]:6881")).toBe("2001:db8::7/128");
  });

  it("refuses an address it cannot read, naming it", () => {
    expect(() => banCidrFor("peer.example:6881")).toThrow(/peer\.example:6881/);
  });
});
