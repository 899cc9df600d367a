import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import {
  delugedArgs,
  delugeWebArgs,
  DELUGE_WEB_PASSWORD as WEB_PASSWORD,
  writeDelugeConfig,
} from "../../testing/deluge-config.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { delugeAdapter } from "./deluge-adapter.js";

const WEB_PORT = 8112;
const DAEMON_PORT = 58846;

describe("Deluge (deluged + deluge-web from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${WEB_PORT}`;
    const dir = writeDelugeConfig();
    // Its RPC listens on every address of the namespace, so the test can see when it is up.
    const daemon = lab.start(["deluged", ...delugedArgs(dir, DAEMON_PORT, "0.0.0.0")]);
    await lab.waitForPort(DAEMON_PORT, "deluged", daemon);
    const web = lab.start(["deluge-web", ...delugeWebArgs(dir, WEB_PORT)]);
    await lab.waitForPort(WEB_PORT, "deluge-web", web);
  });
  afterAll(() => lab?.dispose());

  it("logs in, connects the Web UI to its daemon and names the version", async () => {
    const adapter = delugeAdapter({ url, password: WEB_PASSWORD });
    expect(await adapter.describe()).toMatchObject({
      client: "Deluge",
      version: expect.stringMatching(/^\d+\.\d+/),
    });
  });

  it("takes a new port with random_port off, reports it and really listens on it", async () => {
    const adapter = delugeAdapter({ url, password: WEB_PASSWORD });
    const status = await new DownloaderPush({ kind: "deluge", url, adapter, logger: recordingLogger() }).push(
      40311,
    );
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 40311, error: undefined });
    expect(await adapter.getListenPort()).toBe(40311);
    expect(await acceptsConnections(lab.ip, 40311)).toBe(true);
  });

  it("says the credentials were refused for a wrong password", async () => {
    const adapter = delugeAdapter({ url, password: "wrong" });
    const status = await new DownloaderPush({ kind: "deluge", url, adapter, logger: recordingLogger() }).push(
      40312,
    );
    expect(status).toMatchObject({ state: "FAILED", error: { kind: "CREDENTIALS_REFUSED" }, attempts: 1 });
  });

  it("says it is unreachable where nothing answers", async () => {
    const adapter = delugeAdapter({ url: `http://${lab.ip}:1`, password: WEB_PASSWORD });
    await expect(adapter.getListenPort()).rejects.toMatchObject({ kind: "UNREACHABLE" });
  });
});
