import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@autostun/config";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_PROBLEMS } from "./exit-codes.js";
import { runStatus } from "./status.js";

/**
 * `autostun status` against daemons that do not give a status: a loopback port nothing listens on,
 * a server that accepts and never answers, and one that answers 401. Each time the user is told which
 * URL was asked, why it failed and what to do, in the CLI's language, and the exit code is 1.
 */

const servers: (Server | ReturnType<typeof createHttpServer>)[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** A loopback port that was free a moment ago: a daemon that is not running. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function config(port: number, extra: { token?: string; locale?: "en" | "zh-CN" } = {}) {
  const flags = [
    { path: ["api", "listen"], value: `127.0.0.1:${port}`, label: "flag --listen" },
    // An empty dataDir: no token file of a daemon that once ran here is picked up.
    { path: ["dataDir"], value: mkdtempSync(join(tmpdir(), "autostun-status-")), label: "test" },
  ];
  if (extra.token) flags.push({ path: ["api", "token"], value: extra.token, label: "test" });
  if (extra.locale) flags.push({ path: ["locale"], value: extra.locale, label: "test" });
  return loadConfig({ env: {}, flags }).config;
}

async function status(port: number, extra: Parameters<typeof config>[1] = {}) {
  let out = "";
  let err = "";
  const code = await runStatus(
    config(port, extra),
    { json: false, timeoutMs: 500 },
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err, url: `http://127.0.0.1:${port}/graphql` };
}

describe("autostun status when the daemon gives no status", () => {
  it("nothing listens: says the daemon is not running at that URL", async () => {
    const result = await status(await closedPort());
    expect(result.code).toBe(EXIT_PROBLEMS);
    expect(result.out).toBe("");
    expect(result.err).toContain(result.url);
    expect(result.err).toMatch(/AutoSTUN is not running at that address.*autostun serve.*--config/);
  });

  it("nothing listens, in Chinese when the CLI speaks Chinese", async () => {
    const result = await status(await closedPort(), { locale: "zh-CN" });
    expect(result.code).toBe(EXIT_PROBLEMS);
    expect(result.err).toContain(result.url);
    expect(result.err).toContain("AutoSTUN 没有在那里运行");
    expect(result.err).not.toMatch(/not running/);
  });

  it("accepted and never answered: says it timed out, and after how long", async () => {
    const silent = createServer((socket) => sockets.push(socket));
    const result = await status(await listening(silent));
    expect(result.code).toBe(EXIT_PROBLEMS);
    expect(result.err).toContain(result.url);
    expect(result.err).toMatch(/no answer within 0\.5 s/);
  });

  it("401 without a token here: names the setting and the environment variable that carry it", async () => {
    const guarded = createHttpServer((_request, response) => {
      response.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
      response.end(JSON.stringify({ errors: [{ message: "this API needs a token" }] }));
    });
    const port = await listening(guarded);
    const result = await status(port);
    expect(result.code).toBe(EXIT_PROBLEMS);
    expect(result.err).toContain(result.url);
    expect(result.err).toMatch(/wants an API token \(HTTP 401: this API needs a token\)/);
    expect(result.err).toMatch(/api\.token.*--config.*AUTOSTUN_API_TOKEN/);

    const withToken = await status(port, { token: "a-token-of-sixteen-chars" });
    expect(withToken.err).toMatch(/refused the API token/);
    expect(withToken.err).not.toContain("a-token-of-sixteen-chars");

    const chinese = await status(port, { locale: "zh-CN" });
    expect(chinese.err).toContain("守护进程要求 API 令牌");
    expect(chinese.err).toContain("AUTOSTUN_API_TOKEN");
  });
});
