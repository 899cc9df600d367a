import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qbittorrentAdapter } from "./qbittorrent-adapter.js";

// qBittorrent 5.2 takes an API key as a bearer token; Debian ships 4.5.2, which has none. This loopback
// stand-in answers like the 5.2 Web UI for the few calls the push makes and only with the right key.
const KEY = "qbt_stand-in-key-0123456789";

function apiKeyOnlyClient() {
  const requests: { url: string; authorization: string | undefined }[] = [];
  let listenPort = 6881;
  let randomPort = true;
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      requests.push({ url: path, authorization: request.headers.authorization });
      if (request.headers.authorization !== `Bearer ${KEY}`) {
        response.writeHead(401).end("Unauthorized");
        return;
      }
      if (path === "/api/v2/app/version") response.end("v5.2.0");
      else if (path === "/api/v2/app/webapiVersion") response.end("2.13.0");
      else if (path === "/api/v2/app/preferences")
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ listen_port: listenPort, random_port: randomPort }));
      else if (path === "/api/v2/app/setPreferences" && request.method === "POST") {
        const json = JSON.parse(new URLSearchParams(body).get("json") ?? "{}");
        listenPort = json.listen_port ?? listenPort;
        randomPort = json.random_port ?? randomPort;
        response.end();
      } else response.writeHead(404).end("Not Found");
    });
  });
  return {
    requests,
    state: () => ({ listenPort, randomPort }),
    async start() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("qBittorrent adapter with an API key", () => {
  const client = apiKeyOnlyClient();
  let url = "";
  beforeAll(async () => {
    url = await client.start();
  });
  afterAll(() => client.stop());

  it("reads and sets the listen port with the key alone, never logging in", async () => {
    const adapter = qbittorrentAdapter({ url, username: "admin", password: "unused", apiKey: KEY });
    expect(await adapter.describe()).toMatchObject({ client: "qBittorrent", version: "5.2.0" });
    expect(await adapter.getListenPort()).toBe(6881);
    await adapter.setListenPort(51413);
    expect(client.state()).toEqual({ listenPort: 51413, randomPort: false });
    expect(await adapter.getListenPort()).toBe(51413);
    await adapter.dispose?.();

    expect(client.requests.map((r) => r.url)).not.toContain("/api/v2/auth/login");
    expect(client.requests.map((r) => r.url)).not.toContain("/api/v2/auth/logout");
    expect(client.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it("calls a wrong key refused credentials and never shows the key", async () => {
    const wrong = "qbt_wrong-key-that-must-not-leak";
    const adapter = qbittorrentAdapter({ url, apiKey: wrong });
    const error = await adapter.getListenPort().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ kind: "CREDENTIALS_REFUSED", message: expect.stringContaining("API key") });
    const seen = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""}`;
    expect(seen).not.toContain(wrong);
    expect(seen).not.toContain(KEY);
    // The refusal came from the stand-in, not from a request that never went out.
    expect(client.requests.some((r) => r.authorization === `Bearer ${wrong}`)).toBe(true);
  });
});

describe("qBittorrent adapter with an API key, facing another web server", () => {
  // A router's login page answers 200 to every path; with a key nothing logs in first to tell it apart.
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html" }).end("<html><body>Router login</body></html>");
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("does not take the page for a qBittorrent version", async () => {
    const adapter = qbittorrentAdapter({ url, apiKey: KEY });
    await expect(adapter.describe()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringContaining("without a version number"),
    });
  });
});
