import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import { aria2RestartHook, aria2Setup, recordAria2Pid } from "../../testing/aria2-setup.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { tinyTorrent } from "../../testing/tiny-torrent.js";
import { aria2Adapter } from "./aria2-adapter.js";

const RPC_PORT = 6800;
const SECRET = "lab-secret";
const FIRST_PORT = 40400;

describe("aria2 (aria2c from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";
  let restartArgv: string[] = [];

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${RPC_PORT}`;
    const setup = aria2Setup({
      rpcPort: RPC_PORT,
      rpcListenAll: true,
      secret: SECRET,
      torrent: tinyTorrent("http://127.0.0.1:1/announce"),
    });
    const client = lab.start(["aria2c", ...setup.args, `--listen-port=${FIRST_PORT}`]);
    recordAria2Pid(setup, client.pid);
    restartArgv = aria2RestartHook(setup, lab.name, lab.ip, RPC_PORT);
    await lab.waitForPort(FIRST_PORT, "aria2c", client);
  });
  afterAll(() => lab?.dispose());

  it("names its version with the right secret, and refuses a wrong one", async () => {
    expect(await aria2Adapter({ url, password: SECRET }).describe()).toMatchObject({ client: "aria2" });
    await expect(aria2Adapter({ url, password: "wrong" }).getListenPort()).rejects.toMatchObject({
      kind: "CREDENTIALS_REFUSED",
    });
  });

  it("says plainly that aria2 ignored the change when there is no restart hook", async () => {
    const adapter = aria2Adapter({ url, password: SECRET });
    const push = new DownloaderPush({
      kind: "aria2",
      url,
      adapter,
      logger: recordingLogger(),
      verifyTries: 3,
      retry: { maxAttempts: 1 },
    });
    const status = await push.push(40411);
    expect(status).toMatchObject({
      state: "FAILED",
      error: { kind: "IGNORED_CHANGE" },
      verifiedPort: undefined,
    });
    expect(await acceptsConnections(lab.ip, 40411)).toBe(false);
    expect(await acceptsConnections(lab.ip, FIRST_PORT)).toBe(true);
  });

  it("listens on the new port once the restart hook restarted it", async () => {
    const adapter = aria2Adapter({ url, password: SECRET });
    const push = new DownloaderPush({
      kind: "aria2",
      url,
      adapter,
      logger: recordingLogger(),
      restartHook: { argv: restartArgv, timeoutMs: 20_000 },
      verifyTries: 20,
      retry: { maxAttempts: 1 },
    });
    const status = await push.push(40412);
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 40412, error: undefined });
    expect(await adapter.getListenPort()).toBe(40412);
    expect(await acceptsConnections(lab.ip, 40412)).toBe(true);
  });

  it("says it is unreachable where nothing answers", async () => {
    await expect(
      aria2Adapter({ url: `http://${lab.ip}:1`, password: SECRET }).describe(),
    ).rejects.toMatchObject({
      kind: "UNREACHABLE",
    });
  });
});
