import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { identifyDownloader } from "./identify.js";

/**
 * What identification makes of answers the real clients never give: other programs on a default port,
 * garbage, and a port that accepts but never answers. The real clients are in discovery's lab test.
 */

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("identifyDownloader", () => {
  it("does not take an ordinary web server for a downloader", async () => {
    const url = await serve((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<html><head><title>Router admin</title></head><body>hello</body></html>");
    });
    expect(await identifyDownloader(url)).toBeUndefined();
  });

  it("survives garbage: truncated JSON, wrong ids, binary bodies and a huge page", async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      const answers = [
        () => res.end('{"jsonrpc":"2.0","id":'),
        () => res.end(JSON.stringify({ jsonrpc: "2.0", id: "someone-else", result: { version: "1" } })),
        () => res.end(Buffer.from([0, 255, 13, 10, 0, 1])),
        () => res.end("x".repeat(2_000_000)),
      ];
      answers[n % answers.length]?.();
    });
    expect(await identifyDownloader(url)).toBeUndefined();
  });

  it("does not call a server qBittorrent because it forbids /api/v2 (a 403 alone is not a name)", async () => {
    const url = await serve((req, res) => {
      res.statusCode = req.url === "/" ? 200 : 403;
      res.end(req.url === "/" ? "<title>Other app</title>" : "Forbidden");
    });
    expect(await identifyDownloader(url)).toBeUndefined();
  });

  it("gives up on a port that accepts and never answers, within the timeout", async () => {
    const url = await serve(() => {
      // holds every request open
    });
    await expect(identifyDownloader(url, { timeoutMs: 300 })).resolves.toBeUndefined();
  });

  it("stops when the caller aborts", async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    const pending = identifyDownloader(url, { signal: controller.signal, timeoutMs: 60_000 });
    controller.abort(new Error("caller went away"));
    await expect(pending).rejects.toThrow("caller went away");
  });
});
