import { createRootLogger } from "@autostun/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningHttp, startHttp } from "../http/server.js";
import { authHeader, rememberToken } from "../testing/known-tokens.js";
import type { ServiceLookup } from "../tokens.js";
import { GraphQLSocket, graphql, upgrade } from "./testing/clients.js";

const DETAIL = "database at /var/lib/autostun/secret.sqlite is locked";

// Services whose every read breaks with an internal message a client must never see.
const broken: ServiceLookup = {
  get: () =>
    ({
      list: () => {
        throw new Error(DETAIL);
      },
    }) as never,
};

const TOKEN = "masking-suite-token-0123456789";
let http: RunningHttp;
beforeAll(async () => {
  http = await startHttp({
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    services: broken,
    logger: createRootLogger("silent"),
  });
  rememberToken(http.url, TOKEN);
});
afterAll(() => http?.close());

describe("internal errors", () => {
  it("are masked over HTTP", async () => {
    const response = await graphql(http.url, "{ checks { id } }");
    expect(response.json.errors?.[0]?.message).toBe("Unexpected error.");
    expect(response.body).not.toContain("secret.sqlite");
  });

  it("are masked the same way over WebSocket", async () => {
    const outcome = await upgrade(http.url);
    if (!("opened" in outcome)) throw new Error(`upgrade refused with ${outcome.refused}`);
    const socket = new GraphQLSocket(outcome.opened);
    expect(await socket.init(authHeader(http.url))).toBe("ack");
    const answer = await socket.run("{ checks { id } }");
    expect(answer.errors?.[0]?.message).toBe("Unexpected error.");
    expect(JSON.stringify(answer)).not.toContain("secret.sqlite");
    outcome.opened.terminate();
  });
});
