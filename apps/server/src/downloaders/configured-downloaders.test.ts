import { DownloaderError, type Logger } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import type { TunnelConfig } from "../config/schema.js";
import { ConfiguredDownloaders } from "./configured-downloaders.js";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const tunnel = {
  id: "bt",
  downloader: { kind: "fussy", url: "http://127.0.0.1:1/", username: "admin", password: "s3cret-pass" },
} as unknown as TunnelConfig;

describe("ConfiguredDownloaders.probe", () => {
  it("reports an adapter that refuses the settings as not usable instead of throwing", async () => {
    const downloaders = new ConfiguredDownloaders({
      tunnels: () => [tunnel],
      logger: silent,
      resolve: async () => ({
        factory: () => {
          throw new DownloaderError("UNSUPPORTED", "this adapter needs an https URL");
        },
      }),
    });
    const result = await downloaders.probe("bt");
    expect(result).toMatchObject({
      answered: false,
      authOk: undefined,
      addresses: ["127.0.0.1"],
      error: { kind: "UNSUPPORTED", message: "this adapter needs an https URL" },
    });
    expect(JSON.stringify(result)).not.toContain("s3cret-pass");
  });
});
