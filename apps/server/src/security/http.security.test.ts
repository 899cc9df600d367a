import { request } from "node:http";
import { createRootLogger } from "@autostun/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttp } from "../http/server.js";
import { startTestDaemon } from "../testing/daemon.js";
import { rememberToken } from "../testing/known-tokens.js";
import { english } from "../testing/text.js";
import { answersNormally, checkState, eventually, graphql, rawRequest } from "./testing/clients.js";
import { HANG, WITNESS, writeProbePlugins } from "./testing/probe-plugins.js";

type TestDaemon = Awaited<ReturnType<typeof startTestDaemon>>;

const EVIL = "https://evil.example";
const pluginsDir = writeProbePlugins();

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

describe("undecodable and unparsable request targets", () => {
  it.each(["/%", "/docs/%zz", "/%E0%A4%A", "/docs/%", "/assets/%ff%fe"])(
    "answers 400 to %s and keeps serving",
    async (path) => {
      const response = await rawRequest(daemon.url, { path });
      expect(response.status).toBe(400);
      expect(response.body).toMatch(/percent-encoding/);
      expect(await answersNormally(daemon.url)).toBe(true);
    },
  );

  it("answers 400 to an absolute-form target that is not a URL", async () => {
    const response = await rawRequest(daemon.url, { path: "http://[" });
    expect(response.status).toBe(400);
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("logs each refusal as a structured line", async () => {
    await rawRequest(daemon.url, { path: "/docs/%zz" });
    const lines = daemon.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ status: 400, path: "/docs/%zz" }));
  });
});

describe("cross-origin requests", () => {
  it("refuses a preflight from a foreign origin without any allow header", async () => {
    const response = await rawRequest(daemon.url, {
      method: "OPTIONS",
      path: "/graphql",
      headers: {
        origin: EVIL,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(response.status).toBe(403);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    expect(response.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("refuses a foreign origin's mutation with 403 and never runs it", async () => {
    const response = await graphql(daemon.url, `mutation { runChecks(ids: ["${WITNESS}"]) { id } }`, {
      headers: { origin: EVIL },
    });
    expect(response.status).toBe(403);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    expect(response.body).not.toContain(WITNESS);
    expect((await checkState(daemon.url, WITNESS)).status).toBe("PENDING");
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("refuses the opaque origin `null` (sandboxed frames, local files)", async () => {
    const response = await graphql(daemon.url, "{ checks { id } }", { headers: { origin: "null" } });
    expect(response.status).toBe(403);
  });

  it("serves the console's own origin, under each loopback name of the listen address", async () => {
    const { port } = new URL(daemon.url);
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const host = new URL(origin).host;
      const response = await graphql(daemon.url, "{ checks { id } }", { headers: { origin, host } });
      expect(response.status, origin).toBe(200);
    }
  });

  it("serves configured extra origins, without credentials", async () => {
    const http = await startHttp({
      host: "127.0.0.1",
      port: 0,
      token: daemon.token,
      allowedOrigins: ["https://dash.example"],
      logger: createRootLogger("silent"),
      services: daemon.services,
    });
    rememberToken(http.url, daemon.token);
    try {
      const preflight = await rawRequest(http.url, {
        method: "OPTIONS",
        path: "/graphql",
        headers: { origin: "https://dash.example", "access-control-request-method": "POST" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers["access-control-allow-origin"]).toBe("https://dash.example");
      expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
      const query = await graphql(http.url, "{ checks { id } }", {
        headers: { origin: "https://dash.example" },
      });
      expect(query.status).toBe(200);
      expect(query.headers["access-control-allow-origin"]).toBe("https://dash.example");
      expect((await graphql(http.url, "{ checks { id } }", { headers: { origin: EVIL } })).status).toBe(403);
    } finally {
      await http.close();
    }
  });
});

describe("work a single request may start", () => {
  it("refuses hundreds of aliased runChecks in one request and runs none of them", async () => {
    const aliases = Array.from({ length: 665 }, (_, i) => `r${i}: runChecks { id }`);
    const response = await graphql(daemon.url, `mutation { ${aliases.join(" ")} }`);
    expect(response.json.errors?.[0]?.message).toMatch(/selects 665 root fields; at most 3/);
    expect(response.json.data ?? undefined).toBeUndefined();
    expect((await checkState(daemon.url, WITNESS)).status).toBe("PENDING");
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("counts root fields reached through fragments too", async () => {
    const query = `mutation { ...Many } fragment Many on Mutation { a: runChecks(ids: ["${WITNESS}"]) { id } b: runChecks(ids: ["${WITNESS}"]) { id } ... on Mutation { c: runChecks(ids: ["${WITNESS}"]) { id } d: runChecks(ids: ["${WITNESS}"]) { id } } }`;
    const response = await graphql(daemon.url, query);
    expect(response.json.errors?.[0]?.message).toMatch(/selects 4 root fields; at most 3/);
    expect((await checkState(daemon.url, WITNESS)).status).toBe("PENDING");
  });

  it("refuses a query that asks for a long list of root fields", async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `q${i}: checks { id }`);
    const response = await graphql(daemon.url, `{ ${aliases.join(" ")} }`);
    expect(response.json.errors?.[0]?.message).toMatch(/selects 50 root fields; at most 10/);
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("stops a run when the client that asked for it disconnects", async () => {
    const { port, hostname } = new URL(daemon.url);
    const outgoing = request({
      host: hostname,
      port,
      method: "POST",
      path: "/graphql",
      headers: { "content-type": "application/json", ...daemon.auth },
    });
    outgoing.on("error", () => {
      // The test itself tears this connection down.
    });
    outgoing.end(JSON.stringify({ query: `mutation { runChecks(ids: ["${HANG}"]) { id } }` }));
    await eventually(
      () => checkState(daemon.url, HANG),
      (state) => state.status === "RUNNING",
    );
    outgoing.destroy();
    const after = await eventually(
      () => checkState(daemon.url, HANG),
      (state) => state.status !== "RUNNING",
    );
    expect(after.status).toBe("ERROR");
    expect(english(after?.summary)).toMatch(/stopped before it finished/);
    expect(await answersNormally(daemon.url)).toBe(true);
  });
});

describe("wrong API tokens", () => {
  const TOKEN = "security-suite-token-0123456789abcdef";
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let guarded: TestDaemon;
  beforeAll(async () => {
    guarded = await startTestDaemon({ api: { listen: "127.0.0.1:0", token: TOKEN } });
  });
  afterAll(() => guarded?.stop());

  it("holds each wrong token longer, and serves the right one from the same address at once", async () => {
    const attacker = "127.0.0.3";
    const waited: number[] = [];
    for (let guess = 0; guess < 3; guess++) {
      const started = Date.now();
      const response = await graphql(guarded.url, "{ checks { id } }", {
        headers: bearer(`guess-${guess}`),
        localAddress: attacker,
      });
      waited.push(Date.now() - started);
      expect(response.status).toBe(401);
      expect(response.body).toMatch(/wrong API token/);
    }
    // The tarpit's holds: 1 s, 2 s, 4 s.
    expect(waited[2]).toBeGreaterThan(waited[0] as number);
    expect(waited[2]).toBeGreaterThanOrEqual(3_900);
    // While a guess from the same address is being held, the right token is answered, and not held.
    const pending = graphql(guarded.url, "{ checks { id } }", {
      headers: bearer("guess-3"),
      localAddress: attacker,
    });
    const started = Date.now();
    const right = await graphql(guarded.url, "{ checks { id } }", {
      headers: bearer(TOKEN),
      localAddress: attacker,
    });
    const rightTook = Date.now() - started;
    expect(right.status).toBe(200);
    const held = await pending;
    expect(held.status).toBe(401);
    expect(rightTook).toBeLessThan((waited[2] as number) / 2);
    expect(guarded.logs.join("")).not.toContain(TOKEN);
  }, 30_000);

  it("answers wrong tokens 429 at once once the tarpit is full, never the right token", async () => {
    const flood = Array.from({ length: 100 }, (_, i) =>
      graphql(guarded.url, "{ checks { id } }", { headers: bearer(`flood-${i}`), localAddress: "127.0.0.5" }),
    );
    const right = await graphql(guarded.url, "{ checks { id } }", { headers: bearer(TOKEN) });
    expect(right.status).toBe(200);
    const answers = await Promise.all(flood);
    const busy = answers.filter((answer) => answer.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(Number(busy[0]?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(busy[0]?.body).toMatch(/too many wrong API tokens/);
    expect(answers.filter((answer) => answer.status === 401).length).toBeGreaterThan(0);
  }, 30_000);
});
