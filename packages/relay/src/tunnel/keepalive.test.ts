import { execFileSync } from "node:child_process";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, test, vi } from "vitest";
import { chooseFreePort } from "../punch/free-port.js";
import { KeepAlive } from "./keepalive.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const options = { intervalMs: 20, answerTimeoutMs: 300, connectTimeoutMs: 2_000 };

async function listen<T extends Server | HttpServer>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, () => resolve()));
  cleanups.push(() => {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as { port: number }).port };
}

function target(port: number) {
  return { host: "127.0.0.1", address: "127.0.0.1", port };
}

describe("KeepAlive", () => {
  test("sends HEAD with keep-alive from the given port, on one connection, and records answers", async () => {
    const seen: { method?: string; connection?: string; remotePort?: number }[] = [];
    const http = createHttpServer((req, res) => {
      seen.push({
        method: req.method,
        connection: req.headers.connection,
        remotePort: req.socket.remotePort,
      });
      res.end();
    });
    http.keepAliveTimeout = 0;
    const { port } = await listen(http);
    const localPort = await chooseFreePort("127.0.0.1");
    const keep = await KeepAlive.open(target(port), localPort, options, () => {});
    cleanups.push(() => keep.close());
    await vi.waitUntil(() => seen.length >= 3);
    expect(keep.lastAnswerAt).toBeInstanceOf(Date);
    expect(new Set(seen.map((s) => `${s.method} ${s.connection} ${s.remotePort}`))).toEqual(
      new Set([`HEAD keep-alive ${localPort}`]),
    );
  });

  test("knows the address it leaves from, which is the one the target sees", async () => {
    const seenFrom: string[] = [];
    const http = createHttpServer((req, res) => {
      seenFrom.push(req.socket.remoteAddress ?? "");
      res.end();
    });
    http.keepAliveTimeout = 0;
    const { port } = await listen(http);
    const keep = await KeepAlive.open(target(port), await chooseFreePort("127.0.0.1"), options, () => {});
    cleanups.push(() => keep.close());
    // Opened from the wildcard address: only the kernel's routing says which address that became.
    expect(seenFrom[0]).toBeDefined();
    expect(keep.localAddress).toBe(seenFrom[0]);
  });

  test("a reset by the target is reported once, with the reason", async () => {
    const sockets: Socket[] = [];
    const http = createHttpServer((_req, res) => res.end());
    http.keepAliveTimeout = 0;
    http.on("connection", (s: Socket) => sockets.push(s));
    const { port } = await listen(http);
    const lost: string[] = [];
    await KeepAlive.open(target(port), await chooseFreePort("127.0.0.1"), options, (r) => lost.push(r));
    sockets[0]!.resetAndDestroy();
    await vi.waitUntil(() => lost.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/ECONNRESET|closed the connection/);
  });

  test("a target that stops answering is reported after the answer bound", async () => {
    let answering = true;
    const http = createHttpServer((_req, res) => {
      if (answering) res.end();
    });
    http.keepAliveTimeout = 0;
    const { port } = await listen(http);
    const lost: string[] = [];
    const keep = await KeepAlive.open(target(port), await chooseFreePort("127.0.0.1"), options, (r) =>
      lost.push(r),
    );
    cleanups.push(() => keep.close());
    answering = false;
    await vi.waitUntil(() => lost.length > 0, { timeout: 5_000 });
    expect(lost[0]).toContain("did not answer within 300 ms");
  });

  test("opening fails with the reason when nothing listens, or when the target is not HTTP", async () => {
    const closedPort = await chooseFreePort("127.0.0.1");
    await expect(
      KeepAlive.open(target(closedPort), await chooseFreePort("127.0.0.1"), options, () => {}),
    ).rejects.toThrow(/keep-alive connection to 127\.0\.0\.1:\d+ from port \d+ failed: .*ECONNREFUSED/);

    const { port } = await listen(createServer((s) => s.on("error", () => {}).write("x".repeat(70_000))));
    await expect(
      KeepAlive.open(target(port), await chooseFreePort("127.0.0.1"), options, () => {}),
    ).rejects.toThrow(/does not speak HTTP/);
  });

  test("between HTTP requests the kernel probes the connection every second, and only when asked to", async () => {
    const http = createHttpServer((_req, res) => res.end());
    http.keepAliveTimeout = 0;
    const { port } = await listen(http);
    // The kernel's own timer on the socket, as `ss` shows it: "timer:(keepalive,<left>ms,<probes>)".
    const keepaliveTimer = (localPort: number) => {
      const line = execFileSync("ss", ["-tnoH", "state", "established", `( sport = :${localPort} )`], {
        encoding: "utf8",
      });
      const left = /timer:\(keepalive,(?:(\d+)sec)?(?:(\d+)ms)?/.exec(line);
      return left ? Number(left[1] ?? 0) * 1000 + Number(left[2] ?? 0) : undefined;
    };
    const slow = { ...options, intervalMs: 60_000 };
    const probed = await chooseFreePort("127.0.0.1");
    const keep = await KeepAlive.open(target(port), probed, { ...slow, probeAfterMs: 1_000 }, () => {});
    cleanups.push(() => keep.close());
    expect(keepaliveTimer(probed)).toBeLessThanOrEqual(1_000);

    const unprobed = await chooseFreePort("127.0.0.1");
    const plain = await KeepAlive.open(target(port), unprobed, slow, () => {});
    cleanups.push(() => plain.close());
    expect(keepaliveTimer(unprobed)).toBeUndefined();
  });
});
