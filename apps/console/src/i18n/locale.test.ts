import { describe, expect, it } from "vitest";
import { chooseLocale, matchLocale } from "./locale.js";

describe("chooseLocale", () => {
  it("keeps the choice the user saved over the browser's language", () => {
    expect(chooseLocale("en", ["zh-CN"])).toBe("en");
    expect(chooseLocale("zh-CN", ["en-US"])).toBe("zh-CN");
  });

  it("ignores a saved value it does not know and uses the browser's languages in order", () => {
    expect(chooseLocale("klingon", ["de-DE", "zh-TW", "en"])).toBe("zh-CN");
    expect(chooseLocale(null, ["en-GB", "zh-CN"])).toBe("en");
  });

  it("falls back to English when nothing matches", () => {
    expect(chooseLocale(null, ["de", "ja-JP"])).toBe("en");
    expect(chooseLocale(undefined, [])).toBe("en");
  });
});

describe("matchLocale", () => {
  it("sends every Chinese variant to simplified Chinese and does not confuse prefixes", () => {
    expect(matchLocale("zh")).toBe("zh-CN");
    expect(matchLocale("zh-Hant-TW")).toBe("zh-CN");
    expect(matchLocale("EN-us")).toBe("en");
    expect(matchLocale("enx")).toBeUndefined();
  });
});
