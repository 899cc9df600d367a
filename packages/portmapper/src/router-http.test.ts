import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { fetchRouterText, ROUTER_BODY_LIMIT_BYTES } from "./router-http.js";
import { callAction } from "./soap.js";
import { UpnpGateway } from "./upnp-gateway.js";

/** A broken or hostile "router" on loopback; the test decides what each answer does. */
async function loopbackRouter(answer: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Sends XML-looking text as fast as the client takes it and never ends; `sent` counts what left, `closed`
 * resolves when the client dropped the connection.
 */
function endlessBody() {
  const stream = { sent: 0, closed: undefined as unknown as Promise<void> };
  let closed!: () => void;
  stream.closed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const chunk = Buffer.from(`<service>${"x".repeat(16 * 1024)}</service>`);
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/xml" });
    res.write("<root>");
    const pump = () => {
      while (!res.destroyed) {
        const more = res.write(chunk);
        stream.sent += chunk.length;
        if (!more) return;
      }
    };
    res.on("drain", pump);
    res.on("close", closed);
    pump();
  };
  return { stream, answer };
}

describe("reading a router's HTTP answers", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  test("a device description that never ends is cut off at the limit with an error naming the URL, and the connection is dropped", async () => {
    const endless = endlessBody();
    const router = await loopbackRouter(endless.answer);
    server = router.server;
    const url = `${router.base}/rootDesc.xml`;
    const before = process.memoryUsage().arrayBuffers;
    await expect(UpnpGateway.open(url)).rejects.toThrow(
      `the answer from ${url} is larger than 256 KiB, far more than a device description or SOAP answer holds`,
    );
    // The daemon hung up: the router cannot push more into it.
    await endless.stream.closed;
    const grown = process.memoryUsage().arrayBuffers - before;
    // What left the router is the limit plus what the two kernels' socket buffers held, never more.
    expect(endless.stream.sent).toBeLessThan(ROUTER_BODY_LIMIT_BYTES + 16 * 1024 * 1024);
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  });

  test("a SOAP answer that never ends is cut off the same way", async () => {
    const endless = endlessBody();
    const router = await loopbackRouter(endless.answer);
    server = router.server;
    const controlUrl = `${router.base}/ctl/IPConn`;
    await expect(
      callAction({
        controlUrl,
        serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1",
        action: "GetExternalIPAddress",
        args: [],
      }),
    ).rejects.toThrow(
      `the gateway did not answer GetExternalIPAddress: the answer from ${controlUrl} is larger`,
    );
    await endless.stream.closed;
  });

  test("an answer that announces more than the limit is refused before it is read", async () => {
    const router = await loopbackRouter((res) => {
      res.writeHead(200, { "content-length": String(ROUTER_BODY_LIMIT_BYTES + 1) });
      res.write("<root>");
    });
    server = router.server;
    await expect(UpnpGateway.open(`${router.base}/big.xml`)).rejects.toThrow(/is larger than 256 KiB/);
  });

  test("an answer sent a byte at a time is given up at the time limit, naming the URL", async () => {
    const router = await loopbackRouter((res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      const drip = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(drip));
    });
    server = router.server;
    const url = `${router.base}/slow.xml`;
    await expect(fetchRouterText(url, {}, { timeoutMs: 500 })).rejects.toThrow(
      `${url} did not give a whole answer within 0.5 s`,
    );
  });

  test("an ordinary answer is read whole", async () => {
    const router = await loopbackRouter((res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      res.end("<root><friendlyName>Box ✓</friendlyName></root>");
    });
    server = router.server;
    expect(await fetchRouterText(`${router.base}/d.xml`, {})).toMatchObject({
      ok: true,
      status: 200,
      text: "<root><friendlyName>Box ✓</friendlyName></root>",
    });
  });
});
