import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedDispatcher, refusedRequest } from "./pinned-dispatcher.js";

// A loopback server that answers every path, redirects …/go to ?to=…, and never answers /hang.
let server: Server;
let base = "";
const seen: string[] = [];
let hungClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(String(request.url), base);
    seen.push(url.pathname);
    if (url.pathname === "/hang") {
      hungClosed = new Promise((resolve) => response.on("close", () => resolve()));
      return;
    }
    if (url.pathname.endsWith("/go"))
      return response.writeHead(307, { location: url.searchParams.get("to") ?? "/" }).end();
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** fetch through a pin, as the client libraries call it. */
function get(url: string, dispatcher: unknown) {
  return fetch(url, { dispatcher } as RequestInit);
}

describe("the pinned dispatcher", () => {
  it("with scope origin, lets through the configured sub-path only and says where a redirect pointed", async () => {
    const pin = pinnedDispatcher(`${base}/qbt/`, { scope: "origin" });
    seen.length = 0;
    expect(await (await get(`${base}/qbt/api/v2/app/version`, pin.dispatcher)).text()).toBe("ok");
    const failure = await get(`${base}/qbt/go?to=/login`, pin.dispatcher).catch((caught: unknown) => caught);
    expect(refusedRequest(failure)).toMatchObject({ reason: "elsewhere", attempted: `${base}/login` });
    expect(pin.refusedTarget()).toBe(`${base}/login`);
    expect(seen).toEqual(["/qbt/api/v2/app/version", "/qbt/go"]);
  });

  it("with scope url, refuses any other path and, past the cap, any request at all", async () => {
    const pin = pinnedDispatcher(`${base}/json`, { scope: "url", maxRequests: 2 });
    seen.length = 0;
    const other = await get(`${base}/json/more`, pin.dispatcher).catch((caught: unknown) => caught);
    expect(refusedRequest(other)?.reason).toBe("elsewhere");
    await get(`${base}/json`, pin.dispatcher);
    await get(`${base}/json`, pin.dispatcher);
    const third = await get(`${base}/json`, pin.dispatcher).catch((caught: unknown) => caught);
    expect(refusedRequest(third)?.reason).toBe("over-limit");
    expect(pin.overLimit()).toBe(true);
    expect(seen).toEqual(["/json", "/json"]);
  });

  it("keeps the network's own error, and ends a request still in flight when closed", async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const nowhere = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/json`;
    await new Promise((resolve) => closed.close(resolve));
    const gone = pinnedDispatcher(nowhere, { scope: "url" });
    await get(nowhere, gone.dispatcher).catch(() => undefined);
    expect(gone.networkError()).toMatchObject({ code: "ECONNREFUSED" });

    const pin = pinnedDispatcher(`${base}/hang`, { scope: "url" });
    const pending = get(`${base}/hang`, pin.dispatcher);
    while (!seen.includes("/hang")) await new Promise((resolve) => setTimeout(resolve, 10));
    pin.close();
    await expect(pending).rejects.toThrow();
    await hungClosed;
  });
});
