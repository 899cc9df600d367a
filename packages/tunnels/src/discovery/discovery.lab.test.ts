import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  aria2Setup,
  DownloaderNamespace,
  delugeWebArgs,
  writeDelugeConfig,
  writeQbittorrentProfile,
  writeTransmissionSettings,
} from "@autostun/downloaders/testing";
import { afterAll, describe, expect, it } from "vitest";
import type { DiscoveredDownloader } from "./discover.js";

/**
 * Discovery against the real clients from Debian, each on loopback on its default port inside a
 * namespace made for the test (so "this host" is the namespace, and nothing else on the machine is
 * probed). Discovery itself runs in the namespace, as the daemon would run on the user's host.
 */

const run = promisify(execFile);
const DISCOVER_ONCE = fileURLToPath(new URL("./testing/discover-once.ts", import.meta.url));
const labs: DownloaderNamespace[] = [];
afterAll(() => {
  for (const lab of labs) lab.dispose();
});

async function discoverIn(lab: DownloaderNamespace, configured: unknown[] = []) {
  const { stdout } = await run("ip", [
    "netns",
    "exec",
    lab.name,
    process.execPath,
    "--import",
    import.meta.resolve("tsx"),
    DISCOVER_ONCE,
    JSON.stringify(configured),
  ]);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as DiscoveredDownloader[];
}

/** Waits until something in the namespace accepts on its own loopback, where the test cannot reach. */
async function waitInside(lab: DownloaderNamespace, port: number, what: string, child: { output(): string }) {
  for (let i = 0; i < 300; i++) {
    try {
      await run("ip", ["netns", "exec", lab.name, "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} in ${lab.name}: ${child.output()}`);
}

function startQbittorrent(lab: DownloaderNamespace, webUiPort: number) {
  const profile = writeQbittorrentProfile({
    webUiPort,
    webUiAddress: "127.0.0.1",
    password: "lab-password",
    peerPort: 6881 + (webUiPort % 100),
  });
  return lab.start(["qbittorrent-nox", `--profile=${profile}`]);
}

describe("discovery of real downloaders on this host", () => {
  it("finds qBittorrent, Transmission, Deluge and aria2 on their default ports by their answers", async () => {
    const lab = DownloaderNamespace.create();
    labs.push(lab);
    const transmissionDir = writeTransmissionSettings({ rpcPort: 9091, password: "lab-password" });
    const delugeDir = writeDelugeConfig();
    const started = [
      { port: 8080, what: "qbittorrent-nox", child: startQbittorrent(lab, 8080) },
      {
        port: 9091,
        what: "transmission-daemon",
        child: lab.start(["transmission-daemon", "-f", "-g", transmissionDir]),
      },
      {
        port: 8112,
        what: "deluge-web",
        child: lab.start(["deluge-web", ...delugeWebArgs(delugeDir, 8112, "127.0.0.1")]),
      },
      {
        port: 6800,
        what: "aria2c",
        child: lab.start(["aria2c", ...aria2Setup({ rpcPort: 6800 }).args]),
      },
    ];
    for (const { port, what, child } of started) await waitInside(lab, port, what, child);

    const found = await discoverIn(lab, [{ kind: "aria2", url: "http://127.0.0.1:6800" }]);
    const byKind = Object.fromEntries(found.map((entry) => [entry.kind, entry]));
    expect(Object.keys(byKind).sort()).toEqual(["aria2", "deluge", "qbittorrent", "transmission"]);
    expect(byKind.qbittorrent).toEqual({
      kind: "qbittorrent",
      url: "http://127.0.0.1:8080",
      version: null,
      needsCredentials: true,
      alreadyConfigured: false,
    });
    expect(byKind.transmission).toMatchObject({ url: "http://127.0.0.1:9091", needsCredentials: true });
    expect(byKind.deluge).toMatchObject({
      url: "http://127.0.0.1:8112",
      version: expect.stringMatching(/^2\./),
      needsCredentials: true,
    });
    expect(byKind.aria2).toEqual({
      kind: "aria2",
      url: "http://127.0.0.1:6800",
      version: expect.stringMatching(/^1\.\d+/),
      needsCredentials: false,
      alreadyConfigured: true,
    });
  }, 120_000);

  it("passes over another web server on 8080, finds a configured port, and never probes off this host", async () => {
    const lab = DownloaderNamespace.create();
    labs.push(lab);
    // The host's end of the namespace's link: another machine, as the namespace sees it.
    const [a, b, c, d] = lab.ip.split(".").map(Number) as [number, number, number, number];
    const outside = `${a}.${b}.${c}.${d - 1}`;
    let offHostHits = 0;
    const offHost: Server = createServer((_req, res) => {
      offHostHits += 1;
      res.end("{}");
    });
    await new Promise<void>((resolve) => offHost.listen(18090, outside, resolve));
    try {
      const web = lab.start(["python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"]);
      const qb = startQbittorrent(lab, 18080);
      await waitInside(lab, 8080, "python3 -m http.server", web);
      await waitInside(lab, 18080, "qbittorrent-nox", qb);

      const found = await discoverIn(lab, [
        { kind: "qbittorrent", url: "http://127.0.0.1:18080" },
        { kind: "transmission", url: `http://${outside}:18090` },
      ]);
      expect(found).toEqual([
        {
          kind: "qbittorrent",
          url: "http://127.0.0.1:18080",
          version: null,
          needsCredentials: true,
          alreadyConfigured: true,
        },
      ]);
      expect(offHostHits).toBe(0);
    } finally {
      offHost.close();
    }
  }, 120_000);
});
