import { join } from "node:path";
import { ExtensionHost } from "@autostun/extension-host";
import { type ContributionReceiver, type ExtensionContributions, localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checksOnlyPoints, verdict, writePlugins } from "../testing/plugins.js";

interface Downloader {
  kind: string;
  url: string;
}

/** Stands in for a feature outside the host (the relay's downloader adapters, in a later issue). */
class DownloaderFeature implements ContributionReceiver<Downloader> {
  readonly byExtension = new Map<string, readonly Downloader[]>();
  readonly removals: string[] = [];
  added({ extension, items }: ExtensionContributions<Downloader>): void {
    if (items.length > 0) this.byExtension.set(extension.id, items);
  }
  removed(extensionId: string): void {
    this.removals.push(extensionId);
    this.byExtension.delete(extensionId);
  }
}

function hostWithDownloaders() {
  const { points, checks } = checksOnlyPoints();
  const feature = new DownloaderFeature();
  points.register(
    { name: "downloaders", schema: z.object({ kind: z.enum(["qbittorrent", "aria2"]), url: z.string() }) },
    feature,
  );
  const warnings: string[] = [];
  const host = new ExtensionHost({
    points,
    checks,
    services: { get: () => undefined as never },
    logger: () => ({
      debug() {},
      info() {},
      warn: (message: string) => void warnings.push(message),
      error() {},
    }),
    pluginConfig: {},
  });
  return { host, feature, warnings, points };
}

describe("extension points owned by their feature", () => {
  const dir = writePlugins([
    {
      name: "qb-adapter",
      checks: [{ id: "qbadapter.ready" }],
      contributes: { downloaders: [{ kind: "qbittorrent", url: "http://127.0.0.1:8080" }] },
      activate: verdict("qbadapter.ready", "PASS"),
    },
    {
      name: "bad-adapter",
      checks: [{ id: "badadapter.ready" }],
      contributes: {
        downloaders: [
          { kind: "qbittorrent", url: "x" },
          { kind: "utorrent", url: "y" },
        ],
      },
      activate: verdict("badadapter.ready", "PASS"),
    },
    {
      name: "from-the-future",
      checks: [{ id: "future.ready" }],
      contributes: { widgets: [{ id: "clock" }] },
      activate: verdict("future.ready", "PASS"),
    },
    {
      name: "bad-check",
      checks: [{ id: "NoDots" }],
      activate: "",
    },
  ]);

  it("hands a point registered outside the host the validated entries of each plugin", () => {
    const { host, feature } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    expect(feature.byExtension.get("qb-adapter")).toEqual([
      { kind: "qbittorrent", url: "http://127.0.0.1:8080" },
    ]);
    expect(host.extensionList().find((e) => e.info.id === "qb-adapter")?.state).toBe("INACTIVE");
    expect(host.checks().map((check) => check.id)).toContain("qbadapter.ready");
  });

  it("refuses a plugin whose entry fails the point's schema, naming the field and the package.json", async () => {
    const { host, feature } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    expect(feature.byExtension.has("bad-adapter")).toBe(false);
    const record = host.extensionList().find((e) => e.info.id === "bad-adapter");
    expect(record?.state).toBe("INCOMPATIBLE");
    expect(record?.error).toContain(`invalid manifest in ${join(dir, "bad-adapter", "package.json")}`);
    expect(record?.error).toContain("at autostun.contributes.downloaders[1].kind");
    // The user meets it as the summary of a check made up for the plugin, in their language.
    const resolved = await host.resolveCheck("plugin.bad-adapter");
    expect("error" in resolved && localize(resolved.error, "zh-CN")).toMatch(
      /bad-adapter.*autostun\.contributes\.downloaders\[1\]\.kind/,
    );
  });

  it("refuses a check that fails the checks point's schema the same way", () => {
    const { host } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    const record = host.extensionList().find((e) => e.info.id === "bad-check");
    expect(record?.state).toBe("INCOMPATIBLE");
    expect(record?.error).toContain("at autostun.contributes.checks[0].id");
  });

  it("only warns about a key no feature owns, naming the plugin and the key", () => {
    const { host, warnings } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    expect(host.extensionList().find((e) => e.info.id === "from-the-future")?.state).toBe("INACTIVE");
    expect(warnings).toEqual([expect.stringMatching(/plugin from-the-future contributes "widgets"/)]);
  });

  it("takes a plugin's entries back when the plugin goes away", async () => {
    const { host, feature } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    await host.removeExtension("qb-adapter");
    expect(feature.removals).toContain("qb-adapter");
    expect(feature.byExtension.has("qb-adapter")).toBe(false);
    expect(host.checks().map((check) => check.id)).not.toContain("qbadapter.ready");
  });

  it("refuses a point registered after plugins were read, since those plugins were judged without it", () => {
    const { host, points } = hostWithDownloaders();
    host.discover([{ dir, builtin: false }]);
    expect(() =>
      points.register({ name: "late", schema: z.object({}) }, { added() {}, removed() {} }),
    ).toThrow(/registered after plugins were read/);
  });
});
