import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInServer } from "../../testing/stand-in-server.js";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

// A stand-in Web UI for what the real qbittorrent-nox will not do on demand: keep a setting it was
// asked to change. It answers with the preferences recorded from 4.5.2, changed where a test says so.
const recorded = JSON.parse(readFileSync(new URL("./fixtures/preferences.json", import.meta.url), "utf8"));
const torrents = readFileSync(new URL("./fixtures/torrents-info.json", import.meta.url), "utf8");
const peers = readFileSync(new URL("./fixtures/sync-torrent-peers.json", import.meta.url), "utf8");

const webUi = standInServer();
let url = "";
beforeAll(async () => {
  url = await webUi.start();
});
afterAll(() => webUi.stop());

/** Answers the login, the preferences (`shown`, whatever is set) and the recorded peer answers. */
function serve(shown: Record<string, unknown>) {
  webUi.on((request, _body, response) => {
    const path = request.url ?? "";
    if (path.endsWith("/auth/login"))
      return response.writeHead(200, { "set-cookie": "SID=abc; HttpOnly; path=/" }).end("Ok.");
    if (path.endsWith("/app/preferences")) return response.end(JSON.stringify({ ...recorded, ...shown }));
    if (path.endsWith("/app/setPreferences")) return response.end();
    if (path.includes("/torrents/info")) return response.end(torrents);
    if (path.includes("/sync/torrentPeers")) return response.end(peers);
    response.writeHead(404).end();
  });
}

const calls = () => webUi.seen.map((line) => line.split(" ")[1]?.replace(/\?.*$/, ""));

describe("qBittorrent adapter: peers and IPv6 listening", () => {
  it("asks each running torrent's peers by its hash and hands them out bracketed", async () => {
    serve({});
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "pw" });
    const listed = await adapter.listPeers?.();
    expect(listed).toEqual([
      expect.objectContaining({
        address: expect.stringMatching(/^\[2a0b:8877:66::20\]:\d+$/),
        incoming: true,
      }),
    ]);
    expect(webUi.seen.find((line) => line.includes("/sync/torrentPeers"))).toContain(
      "hash=eff3714825d53568d1e1d9bb931967ec34c1810e",
    );
  });

  it("changes nothing when qBittorrent listens on every address already", async () => {
    serve({});
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "pw" });
    await adapter.listenOnIpv6?.();
    expect(calls()).not.toContain("/api/v2/app/setPreferences");
  });

  it("sets an empty address only, and says so when qBittorrent kept 0.0.0.0", async () => {
    serve({ current_interface_address: "0.0.0.0" });
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "pw" });
    const kept = adapter.listenOnIpv6?.();
    await expect(kept).rejects.toMatchObject({ kind: "IGNORED_CHANGE" });
    await expect(kept).rejects.toThrow(/kept current_interface_address = 0\.0\.0\.0/);
    const set = webUi.seen.find((line) => line.includes("/app/setPreferences")) ?? "";
    expect(JSON.parse(new URLSearchParams(set.split(" ").slice(2).join(" ")).get("json") ?? "")).toEqual({
      current_interface_address: "",
    });
  });

  it("refuses to touch a named interface that already takes every address", async () => {
    serve({ current_network_interface: "eth0", current_interface_address: "" });
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "pw" });
    expect(await adapter.getIpv6Listening?.()).toMatchObject({ listens: undefined });
    await expect(adapter.listenOnIpv6?.()).rejects.toMatchObject({ kind: "UNSUPPORTED" });
    expect(calls()).not.toContain("/api/v2/app/setPreferences");
  });
});
