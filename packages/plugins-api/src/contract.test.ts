import { describe, expect, expectTypeOf, it } from "vitest";
import {
  API_VERSION,
  type CheckImplementation,
  type CheckResult,
  type CheckStatus,
  defineCatalog,
  type ExtensionContext,
  type ExtensionManifest,
  type ExtensionModule,
  type ExtensionPointDescriptor,
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

describe("plugin API 1.1 additions", () => {
  it("fills a localized parameter with the words of each locale", () => {
    const catalog = defineCatalog({
      en: { verdict: "Unknown: {reason}" },
      "zh-CN": { verdict: "未知：{reason}" },
    });
    const reason = { en: "no server answered", "zh-CN": "没有服务器应答" };
    const text = catalog.text("verdict", { reason });
    expect(localize(text, "zh-CN")).toBe("未知：没有服务器应答");
    expect(localize(text, "en")).toBe("Unknown: no server answered");
    expect(catalog.messages["zh-CN"]?.verdict).toBe("未知：{reason}");
  });

  it("lets a schema with zod's safeParse shape describe an extension point", () => {
    const schema = {
      safeParse: (value: unknown) =>
        typeof value === "string"
          ? { success: true as const, data: value }
          : { success: false as const, error: { issues: [{ path: ["kind"], message: "a string" }] } },
    };
    const point: ExtensionPointDescriptor<string> = { name: "downloaders", schema };
    expect(point.schema.safeParse(1)).toEqual({
      success: false,
      error: { issues: [{ path: ["kind"], message: "a string" }] },
    });
    const manifest: ExtensionManifest = {
      engines: { autostun: "^1.1.0" },
      contributes: { checks: [], downloaders: [{ kind: "x" }] },
    };
    expect(manifest.contributes?.downloaders).toHaveLength(1);
  });
});
