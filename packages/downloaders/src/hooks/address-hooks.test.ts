import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressChange } from "./address-change.js";
import { AddressHooks } from "./address-hooks.js";

const change: AddressChange = {
  tunnelId: "qb",
  protocol: "tcp",
  private: { ip: "192.168.1.20", port: 40000 },
  public: { ip: "203.0.113.7", port: 40123 },
};

const warnings: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn: (m, f) => void warnings.push(`${m} ${JSON.stringify(f)}`),
  error() {},
};

// A webhook receiver on loopback that records what arrived, and answers 500 on /broken.
const received: { headers: IncomingMessage["headers"]; body: unknown }[] = [];
const server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    received.push({ headers: request.headers, body: JSON.parse(body) });
    response.statusCode = request.url === "/broken" ? 500 : 204;
    response.end();
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

// The command prints its environment as JSON on stderr, where the hook keeps the output of a failure.
const printEnv = `process.stderr.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AUTOSTUN_"))))); process.exit(4)`;

describe("hooks on a public address change", () => {
  it("gives the command the addresses in its environment and the webhook a JSON body with the secret", async () => {
    const hooks = new AddressHooks({
      command: { argv: [process.execPath, "-e", printEnv] },
      webhook: { url: `${base}/hook`, secret: "s3cret" },
      logger,
    });
    const run = await hooks.run(change);
    expect(JSON.parse(run.command?.output ?? "{}")).toEqual({
      AUTOSTUN_TUNNEL_ID: "qb",
      AUTOSTUN_PROTOCOL: "tcp",
      AUTOSTUN_PRIVATE_IP: "192.168.1.20",
      AUTOSTUN_PRIVATE_PORT: "40000",
      AUTOSTUN_PUBLIC_IP: "203.0.113.7",
      AUTOSTUN_PUBLIC_PORT: "40123",
    });
    expect(run.webhook).toEqual({ ok: true });
    expect(received.at(-1)?.headers["x-autostun-secret"]).toBe("s3cret");
    expect(received.at(-1)?.body).toMatchObject({
      event: "address.changed",
      tunnelId: "qb",
      public: change.public,
    });
  });

  it("sends a webhook URL's user and password as Basic auth, never in the outcome", async () => {
    const withCredentials = base.replace("http://", "http://hook:p%40ss@");
    const run = await new AddressHooks({ webhook: { url: `${withCredentials}/broken` }, logger }).run(change);
    expect(run.webhook).toEqual({ ok: false, error: `${base}/broken answered HTTP 500` });
    expect(received.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("hook:p@ss").toString("base64")}`,
    );
  });

  it("reports a command that is missing, one that hangs and a webhook that fails, without throwing", async () => {
    const missing = await new AddressHooks({
      command: { argv: ["/nonexistent/autostun-hook"] },
      webhook: { url: `${base}/broken` },
      logger,
    }).run(change);
    expect(missing.command).toEqual({
      ok: false,
      error: "/nonexistent/autostun-hook could not be started (ENOENT)",
    });
    expect(missing.webhook).toEqual({ ok: false, error: `${base}/broken answered HTTP 500` });
    const hung = await new AddressHooks({
      command: { argv: [process.execPath, "-e", "setInterval(() => {}, 1000)"], timeoutMs: 200 },
      logger,
    }).run(change);
    expect(hung.command?.error).toMatch(/did not finish within 200 ms and was killed/);
    expect(warnings.some((line) => line.includes("address-change webhook failed"))).toBe(true);
  });
});
