import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StandInHandler, standInServer } from "../../testing/stand-in-server.js";
import { aria2Adapter } from "./aria2-adapter.js";

// A stand-in for aria2 (and for what else may answer on its port) on loopback: the cases the lab's real
// aria2c cannot produce — a reverse proxy's path, another program's answer, an RPC that never answers.
type Handler = StandInHandler;
const standIn = standInServer();
let base = "";
beforeAll(async () => {
  base = await standIn.start();
});
afterAll(() => standIn.stop());

/** Answers like aria2 1.37: the secret must come first, a refusal is HTTP 400 with "Unauthorized". */
function fakeAria2(secret: string, seen: string[]): Handler {
  return (request, body, response) => {
    const message = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
    seen.push(`${request.url} ${message.method}`);
    if (message.params?.[0] !== `token:${secret}`) {
      response
        .writeHead(400, { "content-type": "application/json-rpc" })
        .end(JSON.stringify({ id: message.id, jsonrpc: "2.0", error: { code: 1, message: "Unauthorized" } }));
      return;
    }
    const result = message.method === "aria2.getGlobalOption" ? { "listen-port": "6881-6999" } : "OK";
    response.end(JSON.stringify({ id: message.id, jsonrpc: "2.0", result }));
  };
}

describe("aria2 through its client library", () => {
  it("calls aria2 at /jsonrpc, or at the path a reverse proxy gives, with the secret", async () => {
    const seen: string[] = [];
    standIn.on(fakeAria2("s3cret", seen));
    expect(await aria2Adapter({ url: base, password: "s3cret" }).getListenPort()).toBe(6881);
    await aria2Adapter({ url: `${base}/aria2/rpc/`, password: "s3cret" }).setListenPort(40000);
    expect(seen).toEqual(["/jsonrpc aria2.getGlobalOption", "/aria2/rpc aria2.changeGlobalOption"]);
  });

  it("tells a refused secret apart, without repeating it", async () => {
    standIn.on(fakeAria2("s3cret", []));
    const failure = await aria2Adapter({ url: base, password: "wrong-one" })
      .describe()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: "CREDENTIALS_REFUSED" });
    expect(String((failure as Error).message)).not.toContain("wrong-one");
  });

  it("says another program answers instead of waiting forever for aria2's answer", async () => {
    standIn.on((_request, _body, response) => response.end(JSON.stringify({ status: "ok" })));
    await expect(aria2Adapter({ url: base }).describe()).rejects.toMatchObject({ kind: "UNREACHABLE" });
    standIn.on((_request, _body, response) =>
      response.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad Gateway</h1>"),
    );
    await expect(aria2Adapter({ url: base }).getListenPort()).rejects.toMatchObject({
      kind: "UNREACHABLE",
      message: expect.stringContaining("without JSON"),
    });
  });

  it("gives up on an RPC that never answers when the push aborts the call", async () => {
    standIn.on(() => {});
    const abort = new AbortController();
    const pending = aria2Adapter({ url: base }).describe({ signal: abort.signal });
    abort.abort(new Error("push stopped"));
    await expect(pending).rejects.toThrow("push stopped");
  });
});
