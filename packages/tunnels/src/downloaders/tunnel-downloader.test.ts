import type { DownloaderStatus } from "@autostun/downloaders";
import { downloaderText } from "@autostun/extension-host";
import { type DownloaderAdapter, type Logger, localize } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { TunnelDownloader } from "./tunnel-downloader.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A client that takes every port it is told (the TCP check is answered by `probe` below). */
function client(): DownloaderAdapter & { sets: number[] } {
  let port = 6881;
  const sets: number[] = [];
  return {
    sets,
    describe: async () => ({ client: "Fake", version: "1" }),
    getListenPort: async () => port,
    setListenPort: async (next) => {
      port = next;
      sets.push(next);
    },
  };
}

describe("a port one of our listeners holds", () => {
  it("is never pushed: the status says which tunnel holds it, in en and zh-CN, until a free port comes", async () => {
    const adapter = client();
    const seen: DownloaderStatus[] = [];
    const downloader = new TunnelDownloader({
      settings: { kind: "fake", url: "http://user:pw@127.0.0.1:1/", username: "", password: "" },
      resolve: async () => ({ factory: () => adapter }),
      logger: quiet,
      verifyHost: "127.0.0.1",
      onStatus: (status) => seen.push(status),
    });
    const why = downloaderText("port.held", { port: 40_001, other: "qb", kind: "fake" });
    downloader.refuse(40_001, why);
    expect(downloader.status()).toMatchObject({
      state: "FAILED",
      requestedPort: 40_001,
      verifiedPort: undefined,
      url: "http://127.0.0.1:1",
      error: { kind: "OTHER", message: expect.stringContaining("port 40001 is where tunnel qb listens") },
    });
    expect(downloader.status().error?.summary).toBe(why);
    expect(localize(why, "zh-CN")).toMatch(/端口 40001 正由隧道 qb 监听/);
    // pushDownloaderPort while the port is still held refuses again rather than pushing it.
    expect(downloader.retry()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(adapter.sets).toEqual([]);

    downloader.pushPort(40_002);
    await expect.poll(() => downloader.status().state).not.toBe("FAILED");
    await expect.poll(() => adapter.sets).toEqual([40_002]);
    expect(seen.length).toBeGreaterThan(1);
    await downloader.dispose();
  });
});
