import { describe, expect, it } from "vitest";
import { countryName, flagOf } from "./flag.js";

describe("flagOf", () => {
  it("turns a two-letter country code into its flag, in either case", () => {
    expect(flagOf("DE")).toBe("🇩🇪");
    expect(flagOf("jp")).toBe("🇯🇵");
  });

  it("shows no flag for a missing or malformed code", () => {
    for (const code of [null, undefined, "", "D", "DEU", "1A", "É1"]) expect(flagOf(code)).toBe("");
  });
});

describe("countryName", () => {
  it("names the country in the interface language", () => {
    expect(countryName("DE", "en")).toBe("Germany");
    expect(countryName("DE", "zh-CN")).toBe("德国");
  });

  it("falls back to the code when there is no name for it", () => {
    expect(countryName("not a code", "en")).toBe("not a code");
  });
});
