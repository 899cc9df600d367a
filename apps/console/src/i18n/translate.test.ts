import { describe, expect, it } from "vitest";
import { en, type MessageKey } from "./en.js";
import { translate } from "./translate.js";
import { zhCN } from "./zh-CN.js";

describe("translate", () => {
  it("answers in the chosen language", () => {
    expect(translate("en", "checks.run")).toBe("Run checks");
    expect(translate("zh-CN", "checks.run")).toBe("运行检查");
  });

  it("falls back to English for a locale it has no catalog for", () => {
    expect(translate("fr", "checks.run")).toBe("Run checks");
  });

  it("fills placeholders, and leaves unknown ones visible rather than blank", () => {
    expect(translate("en", "checks.duration.s", { value: "1.5" })).toBe("1.5 s");
    expect(translate("zh-CN", "checks.duration.s", { value: "1.5" })).toBe("1.5 秒");
    expect(translate("en", "checks.loadFailed", {})).toBe(
      "Could not load the checks from the daemon: {message}",
    );
  });

  it("has every English string translated into Chinese, with the same placeholders", () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
      if (key !== "app.title") expect(zhCN[key], key).not.toBe(en[key]);
    }
  });
});
