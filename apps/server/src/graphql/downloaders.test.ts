import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { acceptsConnections } from "@autostun/downloaders";
import { aria2Setup } from "@autostun/downloaders/testing";
import { Services } from "@autostun/plugins-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { startTestDaemon } from "../testing/daemon.js";

/**
 * `Query.discoveredDownloaders` in a real daemon, with a real aria2c (Debian) answering JSON-RPC on
 * 127.0.0.1 under a secret and configured on a tunnel. The daemon sees only loopback as its addresses,
 * so the test sends nothing to the machine's other interfaces.
 */

let aria2: ChildProcess;
let rpcPort = 0;
let services: LoopbackServices;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  services = await startLoopbackServices();
  rpcPort = await freePort();
  aria2 = spawn("aria2c", aria2Setup({ rpcPort, secret: "lab-secret" }).args, { stdio: "ignore" });
  for (let i = 0; !(await acceptsConnections("127.0.0.1", rpcPort)); i++) {
    if (i >= 100) throw new Error(`aria2c did not listen on 127.0.0.1:${rpcPort} within 10 s`);
    await sleep(100);
  }
}, 30_000);

afterAll(async () => {
  aria2?.kill("SIGKILL");
  await services?.close();
});

describe("Query.discoveredDownloaders", () => {
  it("lists a running aria2 that needs its secret, marked as configured, and shows no secret", async () => {
    const daemon = await startTestDaemon(
      {
        stun: { udp: [], tcp: [services.stun] },
        keepalive: { target: services.keepalive, intervalSeconds: 10 },
        tunnels: [
          {
            id: "a2",
            localPort: 0,
            target: services.echo,
            forward: "userspace",
            downloader: {
              kind: "aria2",
              url: `http://127.0.0.1:${rpcPort}`,
              username: "",
              password: "lab-secret",
            },
          },
        ],
      },
      (c) => {
        c.register(Services.NetworkInfo, {
          useValue: {
            addresses: async () => [
              { interface: "lo", address: "127.0.0.1", family: "IPv4", netmask: "255.0.0.0", internal: true },
            ],
          },
        });
      },
    );
    try {
      const answer = await gql<{ discoveredDownloaders: unknown[] }>(
        daemon.url,
        "{ discoveredDownloaders { kind url version needsCredentials alreadyConfigured } }",
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.discoveredDownloaders).toContainEqual({
        kind: "aria2",
        url: `http://127.0.0.1:${rpcPort}`,
        version: null,
        needsCredentials: true,
        alreadyConfigured: true,
      });
      expect(JSON.stringify(answer)).not.toContain("lab-secret");
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
