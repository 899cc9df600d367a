import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestDaemon } from "../testing/daemon.js";
import { authHeader } from "../testing/known-tokens.js";
import { english } from "../testing/text.js";
import {
  answersNormally,
  checkState,
  eventually,
  GraphQLSocket,
  graphql,
  upgrade,
} from "./testing/clients.js";
import { HANG, WITNESS, writeProbePlugins } from "./testing/probe-plugins.js";

type TestDaemon = Awaited<ReturnType<typeof startTestDaemon>>;

const pluginsDir = writeProbePlugins();
let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ plugins: { dirs: [pluginsDir], config: {} } });
});
afterAll(() => daemon?.stop());

/** An accepted, initialised graphql-ws connection with no hostile headers. */
async function openSocket(base: string, payload: Record<string, unknown> = {}) {
  const outcome = await upgrade(base);
  if (!("opened" in outcome)) throw new Error(`upgrade refused with ${outcome.refused}`);
  const socket = new GraphQLSocket(outcome.opened);
  expect(await socket.init({ ...authHeader(base), ...payload })).toBe("ack");
  return socket;
}

describe("WebSocket upgrades", () => {
  it("refuses a foreign Host at the upgrade (DNS rebinding) and stays up", async () => {
    const outcome = await upgrade(daemon.url, { host: "evil.example" });
    expect(outcome).toEqual({ refused: 403 });
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("refuses a foreign Origin at the upgrade (cross-site WebSocket hijacking) and stays up", async () => {
    const outcome = await upgrade(daemon.url, { origin: "http://evil.example" });
    expect(outcome).toEqual({ refused: 403 });
    const both = await upgrade(daemon.url, { host: "evil.example", origin: "http://evil.example" });
    expect(both).toEqual({ refused: 403 });
    expect((await checkState(daemon.url, WITNESS)).status).toBe("PENDING");
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("accepts the console's own origin and clients that send none", async () => {
    const { port } = new URL(daemon.url);
    const own = await upgrade(daemon.url, { origin: `http://127.0.0.1:${port}` });
    expect("opened" in own).toBe(true);
    if ("opened" in own) own.opened.terminate();
    const socket = await openSocket(daemon.url);
    const answer = await socket.run("{ checks { id } }");
    expect(answer.data?.["checks"]).toEqual(expect.arrayContaining([{ id: WITNESS }]));
    socket.socket.terminate();
  });

  it("refuses other paths at the upgrade", async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${daemon.url.replace(/^http/, "ws")}elsewhere`);
      socket.once("unexpected-response", (_req, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once("open", () => reject(new Error("upgrade accepted on a path that is not /graphql")));
      socket.once("error", reject);
    });
    expect(refused).toBe(404);
    expect(await answersNormally(daemon.url)).toBe(true);
  });
});

describe("the same GraphQL pipeline as HTTP", () => {
  it("refuses hundreds of aliased runChecks over WebSocket too, and runs none", async () => {
    const socket = await openSocket(daemon.url);
    const aliases = Array.from({ length: 665 }, (_, i) => `r${i}: runChecks { id }`);
    const answer = await socket.run(`mutation { ${aliases.join(" ")} }`);
    expect(answer.errors?.[0]?.message).toMatch(/selects 665 root fields; at most 3/);
    expect((await checkState(daemon.url, WITNESS)).status).toBe("PENDING");
    socket.socket.terminate();
    expect(await answersNormally(daemon.url)).toBe(true);
  });

  it("applies the depth and token limits over WebSocket", async () => {
    const socket = await openSocket(daemon.url);
    const nested = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    expect((await socket.run(nested)).errors?.[0]?.message).toMatch(/levels deep; the limit is 12/);
    const huge = `{ ${"__typename ".repeat(5000)} }`;
    expect((await socket.run(huge)).errors?.[0]?.message).toMatch(/tokens/);
    socket.socket.terminate();
  });

  it("renders text in the locale from connectionParams", async () => {
    const socket = await openSocket(daemon.url, { locale: "zh-CN" });
    const answer = await socket.run(`{ check(id: "${WITNESS}") { id } }`);
    expect(answer.data?.["check"]).toEqual({ id: WITNESS });
    socket.socket.terminate();
  });

  it("stops a run when the socket that asked for it closes", async () => {
    const socket = await openSocket(daemon.url);
    socket.start(`mutation { runChecks(ids: ["${HANG}"]) { id } }`);
    await eventually(
      () => checkState(daemon.url, HANG),
      (state) => state.status === "RUNNING",
    );
    socket.socket.terminate();
    const after = await eventually(
      () => checkState(daemon.url, HANG),
      (state) => state.status !== "RUNNING",
    );
    expect(after.status).toBe("ERROR");
    expect(english(after?.summary)).toMatch(/stopped before it finished/);
    expect(await answersNormally(daemon.url)).toBe(true);
  });
});

describe("wrong API tokens over WebSocket", () => {
  const TOKEN = "security-suite-token-0123456789abcdef";
  let guarded: TestDaemon;
  beforeAll(async () => {
    guarded = await startTestDaemon({ api: { listen: "127.0.0.1:0", token: TOKEN } });
  });
  afterAll(() => guarded?.stop());

  /** One connection attempt from `localAddress` with the given token, reported as ack or close code. */
  async function attempt(token: string, localAddress: string) {
    const url = `${guarded.url.replace(/^http/, "ws")}graphql`;
    const ws = new WebSocket(url, "graphql-transport-ws", { localAddress });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const socket = new GraphQLSocket(ws);
    const outcome = await socket.init({ authorization: `Bearer ${token}` });
    ws.terminate();
    return outcome === "ack" ? "ack" : outcome.code;
  }

  it("holds wrong tokens on WebSocket as on HTTP, and lets the right one in at once from the same address", async () => {
    const attacker = "127.0.0.4";
    const waited: number[] = [];
    for (let guess = 0; guess < 3; guess++) {
      const started = Date.now();
      expect(await attempt(`guess-${guess}`, attacker)).toBe(4403);
      waited.push(Date.now() - started);
    }
    // 1 s, 2 s, 4 s: the count is the address's, whichever transport the guesses came by.
    expect(waited[2]).toBeGreaterThanOrEqual(3_900);
    const overHttp = graphql(guarded.url, "{ checks { id } }", {
      headers: { authorization: "Bearer guess-over-http" },
      localAddress: attacker,
    });
    const started = Date.now();
    expect(await attempt(TOKEN, attacker)).toBe("ack");
    expect(Date.now() - started).toBeLessThan((waited[2] as number) / 2);
    expect((await overHttp).status).toBe(401);
    expect(await answersNormally(guarded.url, { authorization: `Bearer ${TOKEN}` })).toBe(true);
  }, 30_000);
});
