import { describe, expect, expectTypeOf, it } from "vitest";
import {
  API_VERSION,
  type CheckImplementation,
  type CheckResult,
  type CheckStatus,
  defineCatalog,
  type ExtensionContext,
  type ExtensionModule,
  isProblemStatus,
  localize,
  Services,
  type StunSettings,
  toDisposable,
} from "./index.js";

// A plugin written against 1.0 must keep compiling: these lines are what third parties write.
const plugin: ExtensionModule = {
  activate(context: ExtensionContext) {
    const check: CheckImplementation = {
      async run(ctx) {
        const stun: StunSettings = ctx.services.get(Services.StunSettings);
        const result: CheckResult = { status: "PASS", summary: `${stun.udp.length} servers`, facts: {} };
        return result;
      },
    };
    context.subscriptions.push(context.registerCheck("sample.check", check));
  },
};

describe("plugin API helpers", () => {
  it("keeps the types a 1.0 plugin relies on", () => {
    expectTypeOf(plugin.activate).parameter(0).toEqualTypeOf<ExtensionContext>();
    expectTypeOf<CheckStatus>().toEqualTypeOf<
      "PENDING" | "RUNNING" | "PASS" | "WARN" | "FAIL" | "SKIP" | "ERROR"
    >();
    expectTypeOf<CheckResult["status"]>().toEqualTypeOf<"PASS" | "WARN" | "FAIL" | "SKIP">();
    expect(API_VERSION).toMatch(/^1\.\d+\.\d+$/);
  });

  it("formats catalog messages in every locale and falls back to English", () => {
    const catalog = defineCatalog({
      en: { closed: "Port {port} is closed", steps: ["Open {port}", "Retest"] },
      "zh-CN": { closed: "端口 {port} 未开放", steps: ["打开 {port}"] },
    });
    const text = catalog.text("closed", { port: 6881 });
    expect(localize(text, "zh-CN")).toBe("端口 6881 未开放");
    expect(localize(text, "zh-TW")).toBe("端口 6881 未开放");
    expect(localize(text, "fr")).toBe("Port 6881 is closed");
    expect(catalog.steps("steps", { port: 1 }).map((step) => localize(step, "zh-CN"))).toEqual([
      "打开 1",
      "Retest",
    ]);
    expect(() => catalog.text("nope")).toThrow(/no English text for "nope"/);
  });

  it("treats only FAIL and ERROR as problems, and disposes once", () => {
    expect(
      ["PASS", "WARN", "SKIP", "FAIL", "ERROR"].filter((s) => isProblemStatus(s as CheckStatus)),
    ).toEqual(["FAIL", "ERROR"]);
    let count = 0;
    const disposable = toDisposable(() => void count++);
    disposable.dispose();
    disposable.dispose();
    expect(count).toBe(1);
  });
});
