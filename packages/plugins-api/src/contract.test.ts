import { describe, expect, expectTypeOf, it } from "vitest";
import {
  API_VERSION,
  type CheckImplementation,
  type CheckResult,
  type CheckStatus,
  DownloaderError,
  type DownloaderFactory,
  defineCatalog,
  type ExtensionContext,
  type ExtensionManifest,
  type ExtensionModule,
  type ExtensionPointDescriptor,
  isDownloaderError,
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

describe("plugin API 1.2 additions", () => {
  it("is version 1.9.0, so a plugin asking for ^1.2.0 still finds the downloader API", () => {
    expect(API_VERSION).toBe("1.9.0");
  });

  it("lets a plugin register a downloader declared in its manifest", async () => {
    const registered: string[] = [];
    const factory: DownloaderFactory = (settings) => ({
      describe: async () => ({ client: "Sample", version: "1.0" }),
      getListenPort: async () => 6881,
      setListenPort: async (port) => {
        if (!settings.password) throw new DownloaderError("CREDENTIALS_REFUSED", `refused setting ${port}`);
      },
    });
    const context = {
      registerDownloader: (kind: string, made: DownloaderFactory) => {
        registered.push(kind);
        return toDisposable(() => void made);
      },
    } satisfies Pick<ExtensionContext, "registerDownloader">;
    context.registerDownloader("sample", factory);
    expect(registered).toEqual(["sample"]);
    const adapter = factory({ url: "http://127.0.0.1:1" }, { logger: console });
    await expect(adapter.setListenPort(7000)).rejects.toMatchObject({ kind: "CREDENTIALS_REFUSED" });
    const manifest: ExtensionManifest = {
      engines: { autostun: "^1.2.0" },
      contributes: { downloaders: [{ kind: "sample", title: "Sample", defaultUrl: "http://127.0.0.1:1" }] },
    };
    expect(manifest.contributes?.downloaders?.[0]?.kind).toBe("sample");
  });

  it("recognises a downloader error made by another copy of the package, and nothing else", () => {
    const foreign = Object.assign(new Error("nope"), { name: "DownloaderError", kind: "UNREACHABLE" });
    expect(isDownloaderError(foreign)).toBe(true);
    expect(isDownloaderError(new DownloaderError("IGNORED_CHANGE", "kept 6881"))).toBe(true);
    expect(isDownloaderError(Object.assign(new Error("x"), { name: "DownloaderError", kind: "ODD" }))).toBe(
      false,
    );
    expect(isDownloaderError(new Error("plain"))).toBe(false);
  });
});
