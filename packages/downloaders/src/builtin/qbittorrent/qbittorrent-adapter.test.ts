import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StandInHandler, standInServer } from "../../testing/stand-in-server.js";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

// A stand-in Web UI on loopback for answers the real qbittorrent-nox in the lab will not give on demand:
// a redirect, a login ban, an API call it lacks. The lab test covers the normal path against the real one.
type Handler = StandInHandler;

/** qBittorrent's login: "Ok." and a session cookie for the right password, "Fails." otherwise. */
function login(password: string): Handler {
  return (_request, body, response) => {
    if (new URLSearchParams(body).get("password") === password)
      response.writeHead(200, { "set-cookie": "SID=abc; HttpOnly; path=/" }).end("Ok.");
    else response.end("Fails.");
  };
}

const webUi = standInServer("127.0.0.1");
// Another loopback address stands for "somewhere else" a redirect could point to.
const elsewhere = standInServer("127.0.0.2");
let base = "";
let other = "";
beforeAll(async () => {
  base = await webUi.start();
  other = await elsewhere.start();
});
afterAll(async () => {
  await webUi.stop();
  await elsewhere.stop();
});

describe("qBittorrent adapter on the library", () => {
  it("keeps the sub-path and does not follow a redirect to another address", async () => {
    const signIn = login("pw");
    webUi.on((request, body, response) => {
      if (request.url?.endsWith("/auth/login")) return signIn(request, body, response);
      if (request.url?.endsWith("/app/version")) return response.end("v4.5.2");
      response.writeHead(302, { location: `${other}/collect` }).end();
    });
    elsewhere.on((_request, _body, response) => response.end(JSON.stringify({ listen_port: 1 })));
    const adapter = qbittorrentAdapter({ url: `${base}/qbt/`, username: "admin", password: "pw" });
    const failure = adapter.getListenPort();
    await expect(failure).rejects.toMatchObject({ kind: "UNREACHABLE" });
    await expect(failure).rejects.toThrow(/redirected app\/preferences to http:\/\/127\.0\.0\.2/);
    expect(elsewhere.seen).toEqual([]);
    expect(webUi.seen.map((line) => line.split(" ")[1])).toEqual([
      "/qbt/api/v2/auth/login",
      "/qbt/api/v2/app/preferences",
    ]);
  });

  it("logs in with credentials written in the URL and never shows them", async () => {
    const adapter = qbittorrentAdapter({ url: `${base.replace("//", "//admin:s3cret@")}/` });
    webUi.on((request, body, response) => {
      if (request.url?.endsWith("/auth/login")) return login("s3cret")(request, body, response);
      response.writeHead(500).end();
    });
    const error = await adapter.getListenPort().then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error).toMatchObject({ kind: "UNREACHABLE" });
    expect(String(error?.message)).not.toContain("s3cret");
    expect(webUi.seen[0]).toContain("password=s3cret");
  });

  it("says the password was refused, and says so apart from a ban", async () => {
    webUi.on(login("pw"));
    await expect(
      qbittorrentAdapter({ url: base, username: "admin", password: "wrong" }).getListenPort(),
    ).rejects.toMatchObject({
      kind: "CREDENTIALS_REFUSED",
      message: expect.stringMatching(/user name or password/),
    });
    webUi.on((_request, _body, response) => response.writeHead(403).end("Your IP address has been banned."));
    await expect(
      qbittorrentAdapter({ url: base, username: "admin", password: "pw" }).getListenPort(),
    ).rejects.toMatchObject({ kind: "CREDENTIALS_REFUSED", message: expect.stringMatching(/banned/) });
  });

  it("says a web server that answers every request with 200 is not qBittorrent, not that it refused the password", async () => {
    webUi.on((_request, _body, response) =>
      response.writeHead(200, { "content-type": "text/html" }).end("<html><body>Router</body></html>"),
    );
    const adapter = qbittorrentAdapter({ url: base, username: "admin", password: "pw" });
    await expect(adapter.getListenPort()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringMatching(/answers, but is not qBittorrent's Web UI/),
    });
    // One login and nothing after it: a page that is not qBittorrent's is not sent the API calls.
    expect(webUi.seen.map((line) => line.split(" ")[1])).toEqual(["/api/v2/auth/login"]);
    // Even with a cookie of its own, a page that is not "Ok." is no qBittorrent login.
    webUi.on((_request, _body, response) =>
      response.writeHead(200, { "set-cookie": "session=x; path=/" }).end("<html>Welcome</html>"),
    );
    await expect(adapter.getListenPort()).rejects.toMatchObject({ kind: "UNREACHABLE" });
  });

  it("logs in the way qBittorrent 5.2 answers: 204 with its port-named cookie, 401 for a wrong password", async () => {
    const cookies: string[] = [];
    webUi.on((request, body, response) => {
      if (request.url?.endsWith("/auth/login")) {
        if (new URLSearchParams(body).get("password") !== "pw")
          return response.writeHead(401).end("Unauthorized");
        return response
          .writeHead(204, { "set-cookie": "QBT_SID_8080=abc; HttpOnly; SameSite=Strict; path=/" })
          .end();
      }
      cookies.push(String(request.headers.cookie));
      response.writeHead(200, { "content-type": "application/json" }).end('{"listen_port":6881}');
    });
    expect(await qbittorrentAdapter({ url: base, username: "admin", password: "pw" }).getListenPort()).toBe(
      6881,
    );
    expect(cookies).toEqual(["QBT_SID_8080=abc"]);
    await expect(
      qbittorrentAdapter({ url: base, username: "admin", password: "wrong" }).getListenPort(),
    ).rejects.toMatchObject({
      kind: "CREDENTIALS_REFUSED",
      message: expect.stringMatching(/user name or password/),
    });
  });

  it("reads only the start of a login answer that never ends, and calls it not qBittorrent", async () => {
    webUi.on((_request, _body, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      const chunk = Buffer.alloc(64 * 1024, "x");
      // An endless page: written for as long as the client reads.
      const more = () => {
        while (response.write(chunk));
        response.once("drain", more);
      };
      response.on("close", () => response.removeAllListeners("drain"));
      more();
    });
    const adapter = qbittorrentAdapter({ url: base, username: "admin", password: "pw" });
    await expect(adapter.getListenPort()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringMatching(/answers, but is not qBittorrent's Web UI/),
    });
  });

  it("calls an API the client lacks unsupported, and a page that is not JSON not qBittorrent", async () => {
    const signIn = login("pw");
    webUi.on((request, body, response) => {
      if (request.url?.endsWith("/auth/login")) return signIn(request, body, response);
      if (request.url?.endsWith("/app/version")) return response.end("v4.1.0");
      if (request.url?.endsWith("/torrents/reannounce")) return response.writeHead(404).end("Not Found");
      response.writeHead(200, { "content-type": "text/html" }).end("<html>router login</html>");
    });
    const adapter = qbittorrentAdapter({ url: base, username: "admin", password: "pw" });
    await expect(adapter.reannounce?.()).rejects.toMatchObject({ kind: "UNSUPPORTED" });
    await expect(adapter.getListenPort()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringMatching(/without JSON/),
    });
  });

  it("reports a connection the client dropped as unreachable, with the network's code where the daemon looks", async () => {
    const signIn = login("pw");
    webUi.on((request, body, response) => {
      if (request.url?.endsWith("/auth/login")) return signIn(request, body, response);
      response.socket?.destroy();
    });
    const error = await qbittorrentAdapter({ url: base, username: "admin", password: "pw" })
      .describe()
      .then(
        () => undefined,
        (caught: Error & { cause?: { cause?: { code?: string } } }) => caught,
      );
    expect(error).toMatchObject({ kind: "UNREACHABLE" });
    // The probe tries once more on these, as a kept-alive connection closed meanwhile looks the same.
    expect(error?.cause?.cause?.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
  });

  it("stops waiting when the caller aborts", async () => {
    webUi.on(() => undefined); // accepts and never answers
    const adapter = qbittorrentAdapter({ url: base, username: "admin", password: "pw" });
    const controller = new AbortController();
    const waiting = adapter.getListenPort({ signal: controller.signal });
    controller.abort(new Error("tunnel stopped"));
    await expect(waiting).rejects.toThrow("tunnel stopped");
  });
});
