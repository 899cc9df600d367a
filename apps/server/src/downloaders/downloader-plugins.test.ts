import {
  ExtensionHost,
  ExtensionPointRegistry,
  registerChecksPoint,
  registerDownloadersPoint,
} from "@autostun/extension-host";
import { type DownloaderAdapter, isDownloaderError, localize } from "@autostun/plugins-api";
import { afterAll, describe, expect, it } from "vitest";
import { writePlugins } from "../testing/plugins.js";

// A downloader that keeps its port in memory: what the daemon sets must be what it reads back, even
// though the adapter lives in the plugin's process and every call crosses the pipe.
const memoryAdapter = `
  context.subscriptions.push(context.registerDownloader("memory", (settings, { logger }) => {
    let port = 6881;
    return {
      async describe() { return { client: "Memory", version: "1.0", apiVersion: settings.url }; },
      async getListenPort() { return port; },
      async setListenPort(next) {
        if (settings.password !== "right") {
          const error = new Error("the client refused " + settings.username);
          error.name = "DownloaderError"; error.kind = "CREDENTIALS_REFUSED";
          throw error;
        }
        logger.info("port set", { port: next });
        port = next;
      },
    };
  }));`;

const pluginsDir = writePlugins([
  {
    name: "memory-downloader",
    engines: "^1.2.0",
    checks: [],
    contributes: { downloaders: [{ kind: "memory", title: "Memory client" }] },
    activate: memoryAdapter,
  },
  {
    name: "sneaky-downloader",
    engines: "^1.2.0",
    checks: [],
    contributes: { downloaders: [{ kind: "sneaky" }] },
    // Registers a kind it never declared, then the one it did, with no factory.
    activate: `
      try { context.registerDownloader("qbittorrent", () => ({})); } catch (error) { context.logger.warn(error.message); }
      context.registerDownloader("sneaky", () => ({}));`,
  },
  {
    name: "then-memory-again",
    engines: "^1.2.0",
    checks: [],
    contributes: { downloaders: [{ kind: "memory" }] },
    activate: "",
  },
]);

function buildHost() {
  const points = new ExtensionPointRegistry();
  const checks = registerChecksPoint(points);
  const downloaders = registerDownloadersPoint(points);
  const lines: string[] = [];
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const host = new ExtensionHost({
    points,
    checks,
    downloaders,
    services: { get: () => undefined as never },
    logger: () => ({ debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") }),
    pluginConfig: {},
  });
  host.discover([{ dir: pluginsDir, builtin: false }]);
  return { host, downloaders, lines };
}

describe("a third-party downloader adapter in its own process", () => {
  const { host, downloaders, lines } = buildHost();
  afterAll(() => host.dispose());

  async function adapter(kind: string, password: string): Promise<DownloaderAdapter> {
    const resolved = await host.resolveDownloader(kind);
    if (!("factory" in resolved)) throw new Error(localize(resolved.error));
    return resolved.factory({ url: "http://127.0.0.1:1", username: "alice", password }, { logger: console });
  }

  it("sets the port across the pipe and reads the same port back", async () => {
    const memory = await adapter("memory", "right");
    expect(await memory.describe()).toEqual({
      client: "Memory",
      version: "1.0",
      apiVersion: "http://127.0.0.1:1",
    });
    expect(await memory.getListenPort()).toBe(6881);
    await memory.setListenPort(51413);
    expect(await memory.getListenPort()).toBe(51413);
    expect(lines.some((text) => text.includes("port set") && text.includes("51413"))).toBe(true);
    await memory.dispose?.();
  });

  it("keeps the kind of a refusal, and says a missing reannounce is unsupported", async () => {
    const wrong = await adapter("memory", "wrong");
    const refusal = await wrong.setListenPort(7000).catch((error: unknown) => error);
    expect(isDownloaderError(refusal)).toBe(true);
    expect(refusal).toMatchObject({ kind: "CREDENTIALS_REFUSED", message: "the client refused alice" });
    await expect(wrong.reannounce?.()).rejects.toMatchObject({ kind: "UNSUPPORTED" });
  });

  it("refuses a kind the plugin did not declare, and keeps a declared kind with its first owner", async () => {
    const sneaky = await adapter("sneaky", "x");
    await expect(sneaky.getListenPort()).rejects.toThrow(/getListenPort/);
    expect(downloaders.get("qbittorrent")).toBeUndefined();
    expect(lines.some((text) => text.includes("downloader qbittorrent is not declared"))).toBe(true);
    expect(downloaders.get("memory")?.extensionId).toBe("memory-downloader");
    const late = host.extensionList().find((ext) => ext.info.id === "then-memory-again");
    expect(late?.error).toContain("downloader kind memory is already provided by memory-downloader");
  });

  it("names the kinds that exist when asked for one nobody provides", async () => {
    const resolved = await host.resolveDownloader("utorrent");
    expect("error" in resolved && localize(resolved.error)).toBe(
      'no extension provides the downloader kind "utorrent"; use one of: memory, sneaky (or install the plugin that adds it)',
    );
  });
});
