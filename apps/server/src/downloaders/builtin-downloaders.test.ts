import "reflect-metadata";
import { Writable } from "node:stream";
import { loadConfig } from "@autostun/config";
import type { DownloaderContributions, ExtensionHost } from "@autostun/extension-host";
import { localize } from "@autostun/plugins-api";
import { createRootLogger } from "@autostun/runtime";
import type { Db } from "@autostun/store";
import { afterAll, describe, expect, it } from "vitest";
import { buildContainer } from "../container.js";
import { Tokens } from "../tokens.js";

// The daemon's own container: the built-in adapters arrive the way a plugin's would, by manifest.
const config = loadConfig({ env: {} }).config;
config.plugins = { dirs: [], config: {} };
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const container = buildContainer({
  config,
  logger: createRootLogger("error", quiet),
  // Nothing here touches the database; the host and the downloader point never open it.
  database: undefined as unknown as Db,
});
const host = container.resolve<ExtensionHost>(Tokens.ExtensionHost);
const kinds = container.resolve<DownloaderContributions>(Tokens.DownloaderContributions);
afterAll(() => host.dispose());

describe("the built-in downloader adapters", () => {
  it("are declared by built-in extensions, with the clients' usual URLs", () => {
    expect(
      kinds
        .list()
        .map(({ kind, defaultUrl, builtin }) => ({ kind, defaultUrl, builtin }))
        .sort((a, b) => a.kind.localeCompare(b.kind)),
    ).toEqual([
      { kind: "aria2", defaultUrl: "http://127.0.0.1:6800", builtin: true },
      { kind: "deluge", defaultUrl: "http://127.0.0.1:8112", builtin: true },
      { kind: "qbittorrent", defaultUrl: "http://127.0.0.1:8080", builtin: true },
      { kind: "transmission", defaultUrl: "http://127.0.0.1:9091", builtin: true },
    ]);
  });

  it("register their factories through registerDownloader when first asked for", async () => {
    for (const kind of ["qbittorrent", "transmission", "deluge", "aria2"]) {
      const resolved = await host.resolveDownloader(kind);
      expect("factory" in resolved ? "factory" : localize(resolved.error)).toBe("factory");
    }
    const states = host.extensionList().filter((ext) => ext.info.id.startsWith("@autostun/downloader-"));
    expect(states.map((ext) => ext.state)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]);
  });
});
