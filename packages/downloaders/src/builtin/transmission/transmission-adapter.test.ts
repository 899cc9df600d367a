import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transmissionAdapter } from "./transmission-adapter.js";

// Loopback stand-ins for answers a real Transmission does not give on demand: a proxy that redirects,
// a client stuck in the 409 handshake, a page that is not the RPC. The lab test covers the real daemon.
type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const bodies = new WeakMap<IncomingMessage, string>();

async function listen(handler: { current: Handler }): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      bodies.set(request, Buffer.concat(chunks).toString("utf8"));
      handler.current(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const main = { current: ((_request, response) => response.end()) as Handler };
const elsewhere = { current: ((_request, response) => response.end()) as Handler };
let mainBase = "";
let elsewhereBase = "";
const servers: Server[] = [];
const requests: string[] = [];
const elsewhereRequests: string[] = [];

beforeAll(async () => {
  const a = await listen({
    get current() {
      return (request: IncomingMessage, response: ServerResponse) => {
        requests.push(`${request.url} ${request.headers.authorization ? "auth" : "-"}`);
        main.current(request, response);
      };
    },
  });
  const b = await listen({
    get current() {
      return (request: IncomingMessage, response: ServerResponse) => {
        elsewhereRequests.push(String(request.url));
        elsewhere.current(request, response);
      };
    },
  });
  servers.push(a.server, b.server);
  mainBase = a.base;
  elsewhereBase = b.base;
});
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

function answerWith(body: unknown): Handler {
  return (request, response) => {
    if (request.headers["x-transmission-session-id"] !== "id") {
      response.writeHead(409, { "x-transmission-session-id": "id" }).end();
      return;
    }
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

describe("the Transmission adapter on @ctrl/transmission", () => {
  it("talks to the RPC under a reverse proxy's sub-path, with credentials in the header only", async () => {
    requests.length = 0;
    main.current = answerWith({ result: "success", arguments: { "peer-port": 51413 } });
    const adapter = transmissionAdapter({
      url: `http://admin:secret@${mainBase.slice("http://".length)}/tr/rpc`,
      username: "admin",
      password: "secret",
    });
    expect(await adapter.getListenPort()).toBe(51413);
    expect(requests).toEqual(["/tr/rpc auth", "/tr/rpc auth"]);
  });

  it("does not follow a redirect to another address, and says where it was sent", async () => {
    elsewhereRequests.length = 0;
    main.current = (_request, response) =>
      response.writeHead(307, { location: `${elsewhereBase}/transmission/rpc` }).end();
    const adapter = transmissionAdapter({ url: mainBase, username: "admin", password: "secret" });
    const error = await adapter.getListenPort().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "UNREACHABLE" });
    expect(String((error as Error).message)).toContain(`${elsewhereBase}/transmission/rpc`);
    expect(elsewhereRequests).toEqual([]);
  });

  it("gives up on a client that answers 409 forever, naming the URL without credentials", async () => {
    requests.length = 0;
    let n = 0;
    main.current = (_request, response) =>
      response.writeHead(409, { "x-transmission-session-id": `id-${++n}` }).end();
    const adapter = transmissionAdapter({ url: mainBase, username: "admin", password: "secret" });
    const error = await adapter.setListenPort(40000).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "UNREACHABLE" });
    expect((error as Error).message).toContain(`${mainBase}/transmission/rpc`);
    expect(requests.length).toBeLessThanOrEqual(4);
  });

  it("tells a refused password, a page that is not the RPC and a refused call apart", async () => {
    main.current = (_request, response) => response.writeHead(401).end("Unauthorized");
    const adapter = transmissionAdapter({ url: mainBase, username: "admin", password: "wrong" });
    const refused = await adapter.describe().catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ kind: "CREDENTIALS_REFUSED" });
    // The library's HTTP error carries the Authorization header; none of it may travel with ours.
    expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused))).not.toContain("YWRtaW46d3Jvbmc");
    expect((refused as Error).cause).toBeUndefined();

    main.current = answerWith("<html>router login</html>");
    await expect(transmissionAdapter({ url: mainBase }).describe()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringContaining("without JSON"),
    });

    main.current = answerWith({ result: "success", arguments: {} });
    await expect(transmissionAdapter({ url: mainBase }).describe()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringContaining("without a version"),
    });

    main.current = answerWith({ result: "method name not recognized", arguments: {} });
    await expect(transmissionAdapter({ url: mainBase }).reannounce?.()).rejects.toMatchObject({
      kind: "UNSUPPORTED",
      message: expect.stringContaining("method name not recognized"),
    });
  });

  it("names the network's reason when nothing listens, and stops waiting when the caller aborts", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      transmissionAdapter({ url: `http://127.0.0.1:${port}` }).getListenPort(),
    ).rejects.toMatchObject({ kind: "UNREACHABLE", message: `http://127.0.0.1:${port} ECONNREFUSED` });

    main.current = () => {}; // never answers
    const abort = new AbortController();
    const pending = transmissionAdapter({ url: mainBase }).getListenPort({ signal: abort.signal });
    abort.abort(new Error("tunnel stopped"));
    await expect(pending).rejects.toThrow("tunnel stopped");
  });

  it("finishes a UDP rebind a failed push left halfway, restoring the user's DHT setting", async () => {
    // A Transmission that keeps peer-port and dht-enabled, and fails the push's second DHT switch once.
    const state: Record<string, unknown> = { "peer-port": 51413, "dht-enabled": true };
    const sets: string[] = [];
    let failNextRestore = true;
    main.current = (request, response) => {
      if (request.headers["x-transmission-session-id"] !== "id") {
        response.writeHead(409, { "x-transmission-session-id": "id" }).end();
        return;
      }
      const call = JSON.parse(bodies.get(request) ?? "{}") as { method: string; arguments?: object };
      if (call.method === "session-set") {
        sets.push(JSON.stringify(call.arguments));
        if (failNextRestore && (call.arguments as Record<string, unknown>)["dht-enabled"] === true) {
          failNextRestore = false;
          response.writeHead(500).end();
          return;
        }
        Object.assign(state, call.arguments);
      }
      response.end(JSON.stringify({ result: "success", arguments: { ...state, version: "3.00" } }));
    };
    const adapter = transmissionAdapter({ url: mainBase, username: "admin", password: "secret" });
    await expect(adapter.setListenPort(40400)).rejects.toMatchObject({ kind: "UNREACHABLE" });
    expect(state).toMatchObject({ "peer-port": 40400, "dht-enabled": false });

    // The retry finds the port already set and DHT switched off; it must not take "off" for the user's.
    sets.length = 0;
    await adapter.setListenPort(40400);
    expect(state).toMatchObject({ "peer-port": 40400, "dht-enabled": true });
    expect(sets.slice(1)).toEqual(['{"dht-enabled":false}', '{"dht-enabled":true}']);

    // Done now: pushing the same port again does not switch DHT.
    sets.length = 0;
    await adapter.setListenPort(40400);
    expect(sets).toEqual(['{"peer-port":40400,"peer-port-random-on-start":false}']);
  });
});
