import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloaderPush } from "../../push/downloader-push.js";
import { acceptsConnections } from "../../push/listening.js";
import { DownloaderNamespace } from "../../testing/downloader-namespace.js";
import { writeQbittorrentProfile } from "../../testing/qbittorrent-profile.js";
import { recordingLogger } from "../../testing/recording-logger.js";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

const WEBUI_PORT = 8080;
const PASSWORD = "lab-password";

describe("qBittorrent (qbittorrent-nox from Debian) in a namespace of its own", () => {
  let lab: DownloaderNamespace;
  let url = "";
  let pid = 0;

  beforeAll(async () => {
    lab = DownloaderNamespace.create();
    url = `http://${lab.ip}:${WEBUI_PORT}`;
    const client = lab.start([
      "qbittorrent-nox",
      `--profile=${writeQbittorrentProfile({ webUiPort: WEBUI_PORT, password: PASSWORD })}`,
    ]);
    await lab.waitForPort(WEBUI_PORT, "qbittorrent-nox", client);
    // `ip netns exec` execs the client, so the child's pid is the client's.
    pid = client.pid as number;
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
    expect(await lab.udpPorts(pid, (ports) => ports.includes(6881))).toContain(6881);
    const push = new DownloaderPush({ kind: "qbittorrent", url, adapter, logger });
    const status = await push.push(40111);
    expect(status).toMatchObject({ state: "VERIFIED", verifiedPort: 40111, error: undefined });
    expect(await adapter.getListenPort()).toBe(40111);
    expect(await acceptsConnections(lab.ip, 40111)).toBe(true);
    // libtorrent moves its UDP socket (uTP, DHT) with the listen port; nothing stays on the old one.
    const udp = await lab.udpPorts(pid, (ports) => ports.includes(40111) && !ports.includes(6881));
    expect(udp).toContain(40111);
    expect(udp).not.toContain(6881);
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
