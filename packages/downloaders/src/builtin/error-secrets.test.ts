import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { DownloaderAdapter } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aria2Adapter } from "./aria2/aria2-adapter.js";
import { delugeAdapter } from "./deluge/deluge-adapter.js";
import { qbittorrentAdapter } from "./qbittorrent/qbittorrent-adapter.js";
import { transmissionAdapter } from "./transmission/transmission-adapter.js";

// Every secret an adapter sends (password, API key, RPC secret) or is given (a session cookie) carries
// this mark, so one search finds any of them in what an error shows when it is logged or inspected.
const MARK = "SECRET";
const PASSWORD = `pw-${MARK}-1`;
const API_KEY = `qbt_${MARK}-key`;
const QB_COOKIE = `SID=${MARK}-qb-session`;
const DELUGE_COOKIE = `_session_id=${MARK}-deluge-session`;
// Transmission's Basic auth carries the password only in base64.
const BASIC = Buffer.from(`admin:${PASSWORD}`).toString("base64");

/** What the stand-in does to every call after the login a client needs. */
type Mode = "refuse" | "http-500" | "http-500-json" | "drop" | "not-json" | "redirect";

let mode: Mode = "refuse";
let redirectTo = "";

/** What every call after the login gets, per `mode`. */
function afterLogin(path: string, response: ServerResponse): void {
  if (mode === "http-500") response.writeHead(500).end("Internal Server Error");
  else if (mode === "http-500-json")
    response.writeHead(500, { "content-type": "application/json" }).end('{"error":"busy"}');
  else if (mode === "drop") response.socket?.destroy();
  else if (mode === "not-json")
    response.writeHead(200, { "content-type": "text/html" }).end("<html>router</html>");
  else response.writeHead(302, { location: `${redirectTo}${path}` }).end();
}

function qbittorrent(path: string, response: ServerResponse): void {
  if (!path.endsWith("/auth/login")) {
    if (mode === "refuse") response.writeHead(401).end("Unauthorized");
    else afterLogin(path, response);
  } else if (mode === "refuse") response.end("Fails.");
  else response.writeHead(200, { "set-cookie": `${QB_COOKIE}; HttpOnly; path=/` }).end("Ok.");
}

function deluge(path: string, body: string, response: ServerResponse): void {
  const { method, id } = JSON.parse(body || "{}") as { method?: string; id?: number };
  const rpc = (result: unknown, headers: Record<string, string> = {}) =>
    response
      .writeHead(200, { "content-type": "application/json", ...headers })
      .end(JSON.stringify({ result, error: null, id }));
  if (method === "auth.login") {
    if (mode === "refuse") rpc(false);
    else rpc(true, { "set-cookie": `${DELUGE_COOKIE}; Path=/` });
  } else if (method === "auth.check_session" || method === "web.connected") rpc(true);
  else afterLogin(path, response);
}

function transmission(request: IncomingMessage, path: string, response: ServerResponse): void {
  if (mode === "refuse") response.writeHead(401).end("Unauthorized");
  else if (request.headers["x-transmission-session-id"] !== "sid")
    response.writeHead(409, { "x-transmission-session-id": "sid" }).end();
  else afterLogin(path, response);
}

/** aria2 has no login: the secret is the first parameter of every call. */
function aria2(path: string, body: string, response: ServerResponse): void {
  const { id } = JSON.parse(body || "{}") as { id?: number };
  if (mode === "refuse")
    response
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ id, jsonrpc: "2.0", error: { code: 1, message: "Unauthorized" } }));
  else afterLogin(path, response);
}

/** One loopback server that plays each client's login the way the real one does, then `mode`. */
function standIn(request: IncomingMessage, body: string, response: ServerResponse): void {
  const path = request.url ?? "/";
  if (path.startsWith("/qb/")) qbittorrent(path, response);
  else if (path.startsWith("/deluge/")) deluge(path, body, response);
  else if (path.startsWith("/transmission/")) transmission(request, path, response);
  else aria2(path, body, response);
}

function listen(handler: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => handler(request, body, response));
  });
  return new Promise<{ close: () => Promise<void>; base: string }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

let web: Awaited<ReturnType<typeof listen>>;
let elsewhere: Awaited<ReturnType<typeof listen>>;
/** A loopback port where nothing listens any more. */
let closedBase = "";
beforeAll(async () => {
  web = await listen(standIn);
  elsewhere = await listen((_request, _body, response) => response.end("{}"));
  redirectTo = elsewhere.base;
  const gone = await listen(() => undefined);
  closedBase = gone.base;
  await gone.close();
});
afterAll(async () => {
  await web.close();
  await elsewhere.close();
});

const adapters: Record<string, (base: string) => DownloaderAdapter> = {
  qBittorrent: (base) => qbittorrentAdapter({ url: `${base}/qb/`, username: "admin", password: PASSWORD }),
  "qBittorrent (API key)": (base) => qbittorrentAdapter({ url: `${base}/qb/`, apiKey: API_KEY }),
  "qBittorrent (credentials in the URL)": (base) =>
    qbittorrentAdapter({ url: `${base.replace("//", `//admin:${PASSWORD}@`)}/qb/` }),
  Deluge: (base) => delugeAdapter({ url: `${base}/deluge/`, password: PASSWORD }),
  Transmission: (base) =>
    transmissionAdapter({ url: `${base}/transmission/rpc`, username: "admin", password: PASSWORD }),
  aria2: (base) => aria2Adapter({ url: `${base}/jsonrpc`, password: PASSWORD }),
};

/**
 * Everything a logger, console.error, a debugger or a JSON dump of the error could show. The library's
 * errors keep the request (headers included) behind getters, which only the second view opens.
 */
function shown(error: unknown): string {
  return [
    inspect(error, { depth: 10 }),
    inspect(error, { depth: 10, showHidden: true, getters: true }),
    JSON.stringify(error),
    String(error),
  ].join("\n");
}

/** What the call threw, or undefined when it succeeded. */
function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("an adapter's errors never carry a secret", () => {
  for (const [name, make] of Object.entries(adapters)) {
    for (const next of ["refuse", "http-500", "http-500-json", "drop", "not-json", "redirect"] as const) {
      it(`${name}: ${next}`, async () => {
        mode = next;
        const adapter = make(web.base);
        // A stand-in that took the login may take a setting too; reading the port back always fails.
        const errors = [
          await failureOf(adapter.getListenPort()),
          await failureOf(adapter.setListenPort(51413)),
        ].filter((error) => error !== undefined);
        expect(errors[0]).toMatchObject({ name: "DownloaderError" });
        for (const error of errors) {
          expect(error).toMatchObject({ name: "DownloaderError" });
          const text = shown(error);
          expect(text).not.toContain(MARK);
          expect(text).not.toContain(BASIC);
        }
        await adapter.dispose?.();
      });
    }
    it(`${name}: nothing listening`, async () => {
      const adapter = make(closedBase);
      const error = await failureOf(adapter.getListenPort());
      expect(error).toMatchObject({ kind: "UNREACHABLE" });
      expect(shown(error)).not.toContain(MARK);
    });
  }
});
