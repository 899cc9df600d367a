import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoint } from "../http/client-request.js";
import { displayUrl } from "../push/push-status.js";
import { standInServer } from "../testing/stand-in-server.js";
import { qbittorrentAdapter } from "./qbittorrent/qbittorrent-adapter.js";
import { transmissionAdapter } from "./transmission/transmission-adapter.js";

// Stand-ins on loopback for what the real clients do mid-session and the lab cannot provoke on demand:
// Transmission rotating its session id, qBittorrent forgetting a login.
const standIn = standInServer();
let base = "";
beforeAll(async () => {
  base = await standIn.start();
});
afterAll(() => standIn.stop());

describe("keeping a session with a client", () => {
  it("follows Transmission to a new session id when the old one expires", async () => {
    let current = "first";
    const seen: string[] = [];
    standIn.on((request, _body, response) => {
      const id = String(request.headers["x-transmission-session-id"] ?? "");
      seen.push(`${request.url} ${id}`);
      if (id !== current) {
        response.writeHead(409, { "x-transmission-session-id": current }).end();
        return;
      }
      response.end(JSON.stringify({ result: "success", arguments: { "peer-port": 51413 } }));
    });
    const adapter = transmissionAdapter({ url: base });
    expect(await adapter.getListenPort()).toBe(51413);
    current = "second";
    expect(await adapter.getListenPort()).toBe(51413);
    // Before it has an id the library sends the header as "undefined"; Transmission answers 409 either way.
    expect(seen.map((line) => line.replace(/ undefined$/, " "))).toEqual([
      "/transmission/rpc ",
      "/transmission/rpc first",
      "/transmission/rpc first",
      "/transmission/rpc second",
    ]);
  });

  it("logs in to qBittorrent again once when its session is forgotten, and sends the cookie it set", async () => {
    const calls: string[] = [];
    let valid = "SID=one";
    standIn.on((request, body, response) => {
      calls.push(`${request.url} ${request.headers.cookie ?? "-"}`);
      if (request.url === "/api/v2/auth/login") {
        // As qBittorrent does: a session (and its cookie) only for the right password.
        if (body.includes("password=pw"))
          response.writeHead(200, { "set-cookie": `${valid}; HttpOnly; path=/` }).end("Ok.");
        else response.end("Fails.");
        return;
      }
      if (request.headers.cookie !== valid) {
        response.writeHead(403).end("Forbidden");
        return;
      }
      response.end(JSON.stringify({ listen_port: 6881 }));
    });
    const adapter = qbittorrentAdapter({ url: base, username: "admin", password: "pw" });
    expect(await adapter.getListenPort()).toBe(6881);
    valid = "SID=two";
    expect(await adapter.getListenPort()).toBe(6881);
    expect(calls.filter((call) => call.startsWith("/api/v2/auth/login"))).toHaveLength(2);
    await expect(
      qbittorrentAdapter({ url: base, username: "admin", password: "no" }).getListenPort(),
    ).rejects.toMatchObject({
      kind: "CREDENTIALS_REFUSED",
    });
  });
});

describe("URLs", () => {
  it("keeps a reverse proxy's sub-path and shows no credentials", () => {
    expect(endpoint("http://nas.lan/qbt/", "/api/v2/app/version")).toBe(
      "http://nas.lan/qbt/api/v2/app/version",
    );
    expect(displayUrl("http://admin:secret@127.0.0.1:9091/transmission/rpc")).toBe(
      "http://127.0.0.1:9091/transmission/rpc",
    );
  });
});
