import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { delugeAdapter } from "./deluge-adapter.js";

// A stand-in for deluge-web on loopback, for what the lab's real one cannot be made to do on demand:
// forget a session, list a remote daemon first, redirect, or hang. It answers JSON-RPC the way Deluge 2 does.
interface Call {
  path: string;
  method: string;
  params: unknown[];
  cookie: string;
}
type Rpc = (call: Call, response: ServerResponse) => unknown;
/** An answer that never comes: the stand-in keeps the request open. */
const HANG = Symbol("hang");

let calls: Call[] = [];
let rpc: Rpc = () => null;
let validSession = "_session_id=one";
let connected = true;

function listen(handler: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => handler(request, body, response));
  });
  return new Promise<{ server: Server; base: string }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

/** What a Deluge 2 Web UI answers to the calls around the session. */
function deluge(call: Call, response: ServerResponse): unknown {
  const authed = call.cookie === validSession;
  switch (call.method) {
    case "auth.login":
      if (call.params[0] !== "pw") return false;
      response.setHeader("set-cookie", `${validSession}; Path=/json`);
      return true;
    case "auth.check_session":
      return authed;
    case "web.connected":
      return connected;
    default:
      if (!authed) throw Object.assign(new Error("Not authenticated"), { code: 1 });
      return rpc(call, response);
  }
}

let web: { server: Server; base: string };
let elsewhere: { server: Server; base: string };
let elsewhereHits = 0;

beforeAll(async () => {
  web = await listen((request, body, response) => {
    if (request.url === "/moved/json") {
      response.writeHead(307, { location: `${elsewhere.base}/json` }).end();
      return;
    }
    const { method, params, id } = JSON.parse(body) as { method: string; params: unknown[]; id: number };
    const call = { path: String(request.url), method, params, cookie: String(request.headers.cookie ?? "") };
    calls.push(call);
    let answer: { result: unknown; error: unknown };
    try {
      const result = deluge(call, response);
      if (result === HANG) return;
      answer = { result, error: null };
    } catch (error) {
      answer = {
        result: null,
        error: { message: (error as Error).message, code: (error as { code: number }).code },
      };
    }
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ ...answer, id }));
  });
  elsewhere = await listen((_request, _body, response) => {
    elsewhereHits++;
    response.end(JSON.stringify({ result: true, error: null, id: 1 }));
  });
});
afterAll(async () => {
  for (const { server } of [web, elsewhere]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
beforeEach(() => {
  calls = [];
  validSession = "_session_id=one";
  connected = true;
  rpc = (call) => (call.method === "core.get_listen_port" ? 6881 : null);
});

describe("Deluge adapter on the @ctrl/deluge library", () => {
  it("logs in again once Deluge forgot the session, and sends the cookie it was given", async () => {
    const adapter = delugeAdapter({ url: web.base, password: "pw" });
    expect(await adapter.getListenPort()).toBe(6881);
    validSession = "_session_id=two";
    expect(await adapter.getListenPort()).toBe(6881);
    expect(calls.filter((call) => call.method === "auth.login")).toHaveLength(2);
    expect(calls.filter((call) => call.method === "core.get_listen_port").map((call) => call.cookie)).toEqual(
      ["_session_id=one", "_session_id=two"],
    );
  });

  it("says a wrong password was refused, without the password", async () => {
    const adapter = delugeAdapter({ url: web.base, password: "hunter2" });
    const error = await adapter.getListenPort().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "CREDENTIALS_REFUSED" });
    expect(String((error as Error).message)).not.toContain("hunter2");
    expect(calls.some((call) => call.method === "core.get_listen_port")).toBe(false);
  });

  it("connects the Web UI to the daemon on this host before one listed first elsewhere", async () => {
    connected = false;
    rpc = (call) => {
      if (call.method === "web.get_hosts")
        return [
          ["remote-id", "10.0.0.5", 58846, "Online"],
          ["local-id", "127.0.0.1", 58846, "Online"],
        ];
      if (call.method === "web.connect") {
        connected = true;
        return ["core.get_listen_port"];
      }
      return call.method === "core.get_listen_port" ? 6881 : null;
    };
    expect(await delugeAdapter({ url: web.base, password: "pw" }).getListenPort()).toBe(6881);
    expect(calls.filter((call) => call.method === "web.connect").map((call) => call.params)).toEqual([
      ["local-id"],
    ]);
  });

  it("sets the port with random_port off and re-announces every torrent in one call", async () => {
    rpc = (call) => (call.method === "core.get_session_state" ? ["a1", "b2"] : null);
    const adapter = delugeAdapter({ url: web.base, password: "pw" });
    await adapter.setListenPort(40311);
    await adapter.reannounce?.();
    const core = calls.filter((call) => call.method.startsWith("core."));
    expect(core.map((call) => [call.method, call.params])).toEqual([
      ["core.set_config", [{ listen_ports: [40311, 40311], random_port: false }]],
      ["core.get_session_state", []],
      ["core.force_reannounce", [["a1", "b2"]]],
    ]);
  });

  it("keeps the sub-path of a Web UI behind a reverse proxy", async () => {
    await delugeAdapter({ url: `${web.base}/deluge/`, password: "pw" }).getListenPort();
    expect(new Set(calls.map((call) => call.path))).toEqual(new Set(["/deluge/json"]));
  });

  it("takes a URL that already names the /json endpoint as the Web UI it belongs to", async () => {
    const adapter = delugeAdapter({ url: `${web.base}/json`, password: "pw" });
    expect(await adapter.getListenPort()).toBe(6881);
    await delugeAdapter({ url: `${web.base}/deluge/json/`, password: "pw" }).getListenPort();
    expect(new Set(calls.map((call) => call.path))).toEqual(new Set(["/json", "/deluge/json"]));
  });

  it("sends nothing to where a redirect points, and says where it was sent", async () => {
    const adapter = delugeAdapter({ url: `${web.base}/moved`, password: "pw" });
    const error = await adapter.getListenPort().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "UNREACHABLE", message: expect.stringContaining(elsewhere.base) });
    expect(elsewhereHits).toBe(0);
  });

  it("stops waiting when the push is stopped", async () => {
    const adapter = delugeAdapter({ url: web.base, password: "pw" });
    rpc = () => HANG;
    const stop = new AbortController();
    const pending = adapter.getListenPort({ signal: stop.signal });
    while (!calls.some((call) => call.method === "core.get_listen_port"))
      await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort(new Error("tunnel stopped"));
    await expect(pending).rejects.toThrow("tunnel stopped");
    rpc = () => true;
    await adapter.dispose?.();
    expect(calls.at(-1)).toMatchObject({ method: "auth.delete_session", cookie: "_session_id=one" });
  });

  it("does not show a daemon.get_version answer that is no version string as Deluge's version", async () => {
    rpc = (call) => (call.method === "daemon.get_version" ? { version: "2.1.1" } : null);
    const adapter = delugeAdapter({ url: web.base, password: "pw" });
    await expect(adapter.describe()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringContaining("without a version"),
    });
    await adapter.dispose?.();
  });

  it("says unreachable, naming the address, where nothing answers", async () => {
    // A port that was just free: nothing listens there.
    const { server, base } = await listen(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const adapter = delugeAdapter({ url: base, password: "pw" });
    await expect(adapter.getListenPort()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: `${base} ECONNREFUSED`,
    });
  });
});
