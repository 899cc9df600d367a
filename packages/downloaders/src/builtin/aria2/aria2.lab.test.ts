import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { tinyTorrent } from "../../testing/tiny-torrent.js";
import { aria2Adapter } from "./aria2-adapter.js";

const RPC_PORT = 6800;
const SECRET = "lab-secret";
const FIRST_PORT = 40400;
const RESTART_SCRIPT = fileURLToPath(new URL("../../testing/restart-aria2.mjs", import.meta.url));

describe("aria2 (aria2c from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";
  let restartArgv: string[] = [];

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${RPC_PORT}`;
    const dir = mkdtempSync(join(tmpdir(), "autostun-aria2-"));
    const torrent = join(dir, "lab.torrent");
    writeFileSync(torrent, tinyTorrent("http://127.0.0.1:1/announce"));
    // aria2 opens its peer port only while a BitTorrent download runs, hence the torrent.
    const args = [
      "--enable-rpc",
      "--rpc-listen-all=true",
      `--rpc-listen-port=${RPC_PORT}`,
      `--rpc-secret=${SECRET}`,
      "--enable-dht=false",
      "--bt-enable-lpd=false",
      "--quiet=true",
      `--dir=${dir}`,
      torrent,
    ];
    const client = lab.start(["aria2c", ...args, `--listen-port=${FIRST_PORT}`]);
    const pidFile = join(dir, "aria2.pid");
    writeFileSync(pidFile, String(client.pid));
    restartArgv = [process.execPath, RESTART_SCRIPT, lab.name, pidFile, lab.ip, String(RPC_PORT), ...args];
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
