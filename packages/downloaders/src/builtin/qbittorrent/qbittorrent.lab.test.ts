import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

const WEBUI_PORT = 8080;
const PASSWORD = "lab-password";

/** qBittorrent's stored form of a Web UI password: PBKDF2-SHA512, 100000 rounds, salt and key in base64. */
function passwordPbkdf2(password: string): string {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(password, salt, 100_000, 64, "sha512");
  return `@ByteArray(${salt.toString("base64")}:${key.toString("base64")})`;
}

// Auth stays on for every address: with LocalHostAuth off qBittorrent takes any password from loopback.
function writeProfile(): string {
  const profile = mkdtempSync(join(tmpdir(), "autostun-qbt-"));
  const config = join(profile, "qBittorrent", "config");
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, "qBittorrent.conf"),
    [
      "[LegalNotice]",
      "Accepted=true",
      "[BitTorrent]",
      "Session\\Port=6881",
      "Session\\DHTEnabled=false",
      "Session\\LSDEnabled=false",
      "[Preferences]",
      "WebUI\\Address=*",
      `WebUI\\Port=${WEBUI_PORT}`,
      "WebUI\\Username=admin",
      `WebUI\\Password_PBKDF2="${passwordPbkdf2(PASSWORD)}"`,
      "WebUI\\LocalHostAuth=true",
      "Connection\\UPnP=false",
      "",
    ].join("\n"),
  );
  return profile;
}

describe("qBittorrent (qbittorrent-nox from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${WEBUI_PORT}`;
    const client = lab.start(["qbittorrent-nox", `--profile=${writeProfile()}`]);
    await lab.waitForPort(WEBUI_PORT, "qbittorrent-nox", client);
  });
  afterAll(() => lab?.dispose());

  it("names itself and its Web API version", async () => {
    const adapter = qbittorrentAdapter({ url, username: "admin", password: PASSWORD });
    expect(await adapter.describe()).toMatchObject({
      client: "qBittorrent",
      version: expect.stringMatching(/^\d+\.\d+/),
    });
    await adapter.dispose?.();
  });

  it("takes a new port, reports it and really listens on it", async () => {
    const adapter = qbittorrentAdapter({ url, username: "admin", password: PASSWORD });
    const logger = recordingLogger();
    const push = new DownloaderPush({ kind: "qbittorrent", url, adapter, logger });
    const status = await push.push(40111);
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 40111, error: undefined });
    expect(await adapter.getListenPort()).toBe(40111);
    expect(await acceptsConnections(lab.ip, 40111)).toBe(true);
    expect(logger.lines.join("\n")).not.toContain(PASSWORD);
    await adapter.dispose?.();
  });

  it("says the credentials were refused for a wrong password", async () => {
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "wrong" });
    const status = await new DownloaderPush({
      kind: "qbittorrent",
      url,
      adapter,
      logger: recordingLogger(),
    }).push(40112);
    expect(status).toMatchObject({ state: "FAILED", error: { kind: "CREDENTIALS_REFUSED" }, attempts: 1 });
  });

  it("says it is unreachable where nothing answers", async () => {
    const adapter = qbittorrentAdapter({ url: `http://${lab.ip}:1`, username: "admin", password: PASSWORD });
    await expect(adapter.getListenPort()).rejects.toMatchObject({ kind: "UNREACHABLE" });
  });
});
