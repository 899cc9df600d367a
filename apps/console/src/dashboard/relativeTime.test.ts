import { describe, expect, it } from "vitest";
import { translatorFor } from "../i18n/translate.js";
import { describeTime, relativeTime } from "./relativeTime.js";

const now = Date.parse("2026-05-01T12:00:00.000Z");

describe("relativeTime", () => {
  it("words a past moment as ago and a coming one as in, rounding a coming one up", () => {
    expect(relativeTime("2026-05-01T11:55:00.000Z", now)).toEqual({ key: "dashboard.ago", span: "5m 00s" });
    expect(relativeTime("2026-05-01T12:00:20.000Z", now)).toEqual({ key: "dashboard.in", span: "20s" });
    expect(relativeTime("2026-05-01T12:00:00.400Z", now)).toEqual({ key: "dashboard.in", span: "1s" });
    expect(relativeTime("2026-05-01T12:00:00.000Z", now)).toEqual({ key: "dashboard.ago", span: "0s" });
    expect(relativeTime("2026-05-01T13:00:00.000Z", now)).toEqual({ key: "dashboard.in", span: "1h 00m" });
  });

  it("has nothing to say about a missing or unreadable date", () => {
    expect(relativeTime(null, now)).toBeNull();
    expect(relativeTime(undefined, now)).toBeNull();
    expect(relativeTime("soon", now)).toBeNull();
  });
});

describe("describeTime", () => {
  it("reads in the page's language, with a dash for no date", () => {
    expect(describeTime(translatorFor("en"), "2026-05-01T12:00:20.000Z", now)).toBe("in 20s");
    expect(describeTime(translatorFor("zh-CN"), "2026-05-01T12:00:20.000Z", now)).toBe("20s后");
    expect(describeTime(translatorFor("en"), "2026-05-01T11:59:00.000Z", now)).toBe("1m 00s ago");
    expect(describeTime(translatorFor("en"), null, now)).toBe("—");
  });
});
