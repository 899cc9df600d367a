import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Daemon } from "../daemon.js";
import { startTestDaemon } from "../testing/daemon.js";
import { verdict, writePlugins } from "../testing/plugins.js";

const pluginsDir = writePlugins([
  {
    name: "sample",
    checks: [{ id: "sample.pass" }, { id: "sample.fail", title: "%fail.title%" }],
    nls: { "": { "fail.title": "Port check" }, "zh-cn": { "fail.title": "端口检查" } },
    activate: `${verdict("sample.pass", "PASS")}
      context.registerCheck("sample.fail", { async run() { return { status: "FAIL", summary: { en: "port closed", "zh-CN": "端口未开放" },
        guidance: { title: { en: "Open it", "zh-CN": "打开它" }, steps: [{ en: "Run this", "zh-CN": "运行这个" }] } }; } });`,
  },
]);

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${daemon.url}graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${daemon.token}`, ...headers },
    body: JSON.stringify(body),
  });

const RUN = `mutation { runChecks(ids: ["sample.pass", "sample.fail"]) { id status } }`;

describe("GraphQL API", () => {
  it("serves the console at /", async () => {
    const response = await fetch(daemon.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toMatch(/AutoSTUN/);
  });

  it("serves the user guide that guidance links point to, and nothing else under /docs", async () => {
    const guide = await fetch(new URL("docs/user-guide.md", daemon.url));
    expect(guide.status).toBe(200);
    expect(await guide.text()).toContain("## NAT type");
    expect((await fetch(new URL("docs/user-guide.zh-CN.md", daemon.url))).status).toBe(200);
    expect((await fetch(new URL("docs/..%2Fpackage.json", daemon.url))).status).toBe(404);
  });

  it("delivers checkUpdated over graphql-ws after runChecks", async () => {
    const client = createClient({
      url: `${daemon.url.replace("http", "ws")}graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      connectionParams: { authorization: `Bearer ${daemon.token}` },
    });
    const seen: { id: string; status: string }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ checkUpdated: { id: string; status: string } }>(
        { query: "subscription { checkUpdated { id status } }" },
        {
          next: ({ data }) => {
            if (data) seen.push(data.checkUpdated);
            if (seen.some((s) => s.id === "sample.fail" && s.status === "FAIL")) resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await new Promise((resolve) => client.on("connected", resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await post({ query: RUN });
    expect((await response.json()).data.runChecks).toHaveLength(2);
    await done;
    expect(seen).toContainEqual({ id: "sample.pass", status: "RUNNING" });
    expect(seen).toContainEqual({ id: "sample.pass", status: "PASS" });
    await client.dispose();
  });

  it("delivers checkUpdated over server-sent events too", async () => {
    const controller = new AbortController();
    const response = await fetch(`${daemon.url}graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${daemon.token}`,
      },
      body: JSON.stringify({ query: "subscription { checkUpdated { id status summary } }" }),
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    setTimeout(() => void post({ query: RUN }), 100);
    let text = "";
    while (!text.includes('"status":"FAIL"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('"checkUpdated":{"id":"sample.fail","status":"FAIL","summary":"port closed"}');
  });

  it("renders guidance in the locale the client asks for", async () => {
    await post({ query: RUN });
    const response = await post(
      { query: `{ check(id: "sample.fail") { title summary guidance { title steps } } }` },
      { "x-autostun-locale": "zh-CN" },
    );
    expect((await response.json()).data.check).toEqual({
      title: "端口检查",
      summary: "端口未开放",
      guidance: { title: "打开它", steps: ["运行这个"] },
    });
  });

  it("takes titles from the plugin's package.nls files, English by default", async () => {
    const body = await (await post({ query: `{ check(id: "sample.fail") { title } }` })).json();
    expect(body.data.check.title).toBe("Port check");
  });

  it("names an unknown check id instead of masking it", async () => {
    const body = await (await post({ query: `mutation { runChecks(ids: ["no.such"]) { id } }` })).json();
    expect(body.errors[0].message).toBe("unknown check id: no.such");
  });

  it("refuses a deeply nested or huge query with a clear error and stays up", async () => {
    const deep = `{ checks { ${"guidance { title } ".repeat(1)} } ${"__typename ".repeat(5000)} }`;
    const huge = await (await post({ query: deep })).json();
    expect(huge.errors[0].message).toMatch(/tokens/);
    const nested = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    const tooDeep = await (await post({ query: nested })).json();
    expect(tooDeep.errors[0].message).toMatch(/levels deep; the limit is 12/);
    const ok = await (await post({ query: "{ checks { id } }" })).json();
    expect(ok.data.checks.length).toBeGreaterThan(0);
  });

  it("refuses a simple cross-site GET without the CSRF header", async () => {
    const response = await fetch(`${daemon.url}graphql?query=${encodeURIComponent("{ checks { id } }")}`, {
      headers: { authorization: `Bearer ${daemon.token}` },
    });
    expect(response.status).toBe(403);
  });

  it("refuses requests naming a foreign Host (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const url = new URL(daemon.url);
    const status = await new Promise<number>((resolve, reject) => {
      request(
        { host: url.hostname, port: url.port, path: "/graphql", headers: { host: "evil.example" } },
        (res) => resolve(res.statusCode ?? 0),
      )
        .on("error", reject)
        .end();
    });
    expect(status).toBe(403);
  });
});
