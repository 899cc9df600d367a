import { describe, expect, it } from "vitest";
import { translatorFor } from "../i18n/translate.js";
import { formatDuration } from "./formatDuration.js";

describe("formatDuration", () => {
  it("shows short runs in milliseconds and long ones in seconds, in the chosen language", () => {
    const en = translatorFor("en");
    expect(formatDuration(812.4, en)).toBe("812 ms");
    expect(formatDuration(10_000, en)).toBe("10.0 s");
    expect(formatDuration(1_250, translatorFor("zh-CN"))).toBe("1.3 秒");
  });
});
