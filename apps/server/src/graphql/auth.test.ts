import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { StartupRefused } from "../daemon.js";
import { startTestDaemon } from "../testing/daemon.js";

const TOKEN = "s3cret-token-for-tests-0123456789";

describe("API security defaults", () => {
  it("refuses to start on a non-loopback address without a token", async () => {
    await expect(startTestDaemon({ api: { listen: "0.0.0.0:0" } })).rejects.toThrow(StartupRefused);
    await expect(startTestDaemon({ api: { listen: "0.0.0.0:0" } })).rejects.toThrow(/api\.token is not set/);
  });

  it("with a token, answers 401 and no data without it, and serves with it", async () => {
    const daemon = await startTestDaemon({ api: { listen: "0.0.0.0:0", token: TOKEN } });
    try {
      const port = new URL(daemon.url).port;
      const url = `http://127.0.0.1:${port}/graphql`;
      const query = JSON.stringify({ query: "{ checks { id } }" });
      const headers = { "content-type": "application/json" };
      const anonymous = await fetch(url, { method: "POST", headers, body: query });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toContain('checks":[');
      const wrong = await fetch(url, {
        method: "POST",
        headers: { ...headers, authorization: "Bearer nope" },
        body: query,
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(url, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${TOKEN}` },
        body: query,
      });
      expect(right.status).toBe(200);
      expect((await right.json()).data.checks.length).toBeGreaterThan(0);

      const attempt = (params: Record<string, string>) =>
        new Promise<string>((resolve) => {
          const client = createClient({
            url: url.replace("http", "ws"),
            webSocketImpl: WebSocket,
            connectionParams: params,
            retryAttempts: 0,
          });
          client.subscribe(
            { query: "{ checks { id } }" },
            { next: () => resolve("data"), error: () => resolve("refused"), complete: () => undefined },
          );
        });
      expect(await attempt({})).toBe("refused");
      expect(await attempt({ authorization: `Bearer ${TOKEN}` })).toBe("data");
      expect(daemon.logs.join("")).not.toContain(TOKEN);
    } finally {
      await daemon.stop();
    }
  });
});
