import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "@autostun/config";
import { type Downloaders, Services } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, SAVE_TUNNEL } from "../graphql/testing/save-tunnel.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";

const KEY = "qbt_config-test-key-5f0e";

/** A loopback stand-in for qBittorrent 5.2 that answers only requests bearing KEY. */
function bearerOnlyClient() {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    if (request.headers.authorization !== `Bearer ${KEY}`) return void response.writeHead(401).end();
    const path = new URL(request.url ?? "/", "http://x").pathname;
    if (path === "/api/v2/app/version") response.end("v5.2.0");
    else if (path === "/api/v2/app/webapiVersion") response.end("2.13.0");
    else response.writeHead(404).end();
  });
  return {
    authorizations,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "autostun-config-")), "autostun.yaml");
  writeFileSync(file, text);
  return file;
}

describe("a downloader's API key", () => {
  it("is read from the config file, optional, and refused empty with its line", () => {
    const tunnel =
      "tunnels:\n  - id: qb\n    target: 127.0.0.1:6881\n    downloader:\n      kind: qbittorrent\n";
    const withKey = yamlFile(`${tunnel}      url: http://127.0.0.1:8080\n      apiKey: ${KEY}\n`);
    expect(loadConfig({ file: withKey, env: {} }).config.tunnels[0]?.downloader?.apiKey).toBe(KEY);
    const without = yamlFile(`${tunnel}      url: http://127.0.0.1:8080\n`);
    expect(loadConfig({ file: without, env: {} }).config.tunnels[0]?.downloader).not.toHaveProperty("apiKey");

    const empty = yamlFile(`${tunnel}      url: http://127.0.0.1:8080\n      apiKey: ""\n`);
    let refused: unknown;
    try {
      loadConfig({ file: empty, env: {} });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      {
        key: "tunnels[0].downloader.apiKey",
        source: `${empty}:7`,
        message: expect.stringContaining("empty"),
      },
    ]);
  });

  describe("saved through GraphQL", () => {
    const client = bearerOnlyClient();
    let url = "";
    let services: LoopbackServices;
    beforeAll(async () => {
      url = await client.start();
      services = await startLoopbackServices();
    });
    afterAll(async () => {
      await services?.close();
      await client.stop();
    });

    it("is taken by saveTunnel and used by the daemon, but never returned or logged", async () => {
      const daemon = await startTestDaemon({
        stun: { udp: [], tcp: [services.stun] },
        keepalive: { target: services.keepalive, intervalSeconds: 10 },
      });
      try {
        const saved = await gql(daemon.url, SAVE_TUNNEL, {
          input: { id: "qb", target: services.echo, downloader: { kind: "qbittorrent", url, apiKey: KEY } },
        });
        expect(refusal(saved)).toBe("");

        // The daemon's own probe of the tunnel's downloader gets in with the key alone.
        const downloaders = daemon.services.get<Downloaders>(Services.Downloaders);
        expect(await downloaders.list()).toEqual([
          { tunnelId: "qb", kind: "qbittorrent", url, hasCredentials: true, usesApiKey: true },
        ]);
        expect(await downloaders.probe("qb")).toMatchObject({
          answered: true,
          authOk: true,
          version: "5.2.0",
        });
        expect(client.authorizations).toContain(`Bearer ${KEY}`);

        // No output type has a field for it, and nothing the API returns about the tunnel holds it.
        const types = await gql<{ __schema: { types: { fields: { name: string }[] | null }[] } }>(
          daemon.url,
          "{ __schema { types { fields { name } } } }",
        );
        const outputFields = types.data?.__schema.types.flatMap((t) => t.fields ?? []).map((f) => f.name);
        expect(outputFields).toContain("verifiedPort");
        expect(outputFields).not.toContain("password");
        expect(outputFields).not.toContain("apiKey");
        const tunnels = await gql(
          daemon.url,
          "{ tunnels { id target downloader { kind url state errorKind error } } }",
        );
        expect(tunnels.errors).toBeUndefined();
        expect(JSON.stringify(tunnels)).toContain(url);
        expect(JSON.stringify(tunnels) + JSON.stringify(saved) + daemon.logs.join("\n")).not.toContain(KEY);
      } finally {
        await daemon.stop();
      }
    });

    it("is what a refusal names, on the tunnel and in downloader.loopback, when the key is wrong", async () => {
      const daemon = await startTestDaemon({
        stun: { udp: [], tcp: [services.stun] },
        keepalive: { target: services.keepalive, intervalSeconds: 10 },
      });
      try {
        const wrong = "qbt_revoked-key-0000";
        const saved = await gql(daemon.url, SAVE_TUNNEL, {
          input: {
            id: "qb",
            target: services.echo,
            downloader: { kind: "qbittorrent", url, apiKey: wrong },
          },
        });
        expect(refusal(saved)).toBe("");
        type Row = { tunnels: { downloader: { errorKind: string | null; error: string | null } | null }[] };
        const refused = await gqlUntil<Row>(
          daemon.url,
          "{ tunnels { downloader { errorKind error } } }",
          (data) => data.tunnels[0]?.downloader?.errorKind === "CREDENTIALS_REFUSED",
        );
        expect(refused.tunnels[0]?.downloader?.error).toMatch(/refused the API key/);
        expect(refused.tunnels[0]?.downloader?.error).not.toMatch(/user name or password/);

        const checked = await gql<{ runChecks: { status: string; summary: string }[] }>(
          daemon.url,
          `mutation { runChecks(ids: ["downloader.loopback"]) { status summary } }`,
        );
        expect(checked.data?.runChecks[0]).toMatchObject({
          status: "FAIL",
          summary: expect.stringMatching(/refused the API key of tunnel qb/),
        });
        expect(JSON.stringify(checked) + JSON.stringify(refused) + daemon.logs.join("\n")).not.toContain(
          wrong,
        );
      } finally {
        await daemon.stop();
      }
    });
  });
});
