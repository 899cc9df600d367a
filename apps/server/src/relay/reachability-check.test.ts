import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { gql, gqlUntil } from "./testing/graphql-client.js";
import { type LoopbackServices, Peer, startLoopbackServices } from "./testing/loopback-services.js";

/**
 * `relay.reachability` in a real daemon on loopback: a tunnel to a local echo service, a "peer" from
 * another 127.x address coming in through the tunnel's published address.
 */

type CheckRow = { id: string; status: string; summary: string; facts: Record<string, unknown> };
const RUN = `mutation { runChecks(ids: ["relay.reachability"]) { id status summary facts } }`;

let services: LoopbackServices;
beforeAll(async () => {
  services = await startLoopbackServices();
});
afterAll(() => services?.close());

async function reachability(url: string): Promise<CheckRow> {
  const answer = await gql<{ runChecks: CheckRow[] }>(url, RUN);
  const row = answer.data?.runChecks.find((c) => c.id === "relay.reachability");
  if (!row) throw new Error(`no relay.reachability in ${JSON.stringify(answer)}`);
  return row;
}

describe("relay.reachability in the daemon", () => {
  it("warns while no peer came in, then passes with the peer, the tunnel and its public address", async () => {
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-reach-")),
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      tunnels: [{ id: "qb", target: services.echo }],
    });
    try {
      const open = await gqlUntil<{
        tunnels: { state: string; publicAddress: { ip: string; port: number } }[];
      }>(
        daemon.url,
        `{ tunnels { state publicAddress { ip port } } }`,
        (d) => d.tunnels[0]?.state === "OPEN",
      );
      const published = open.tunnels[0]?.publicAddress as { ip: string; port: number };
      const before = await reachability(daemon.url);
      expect(before.status).toBe("WARN");
      expect(before.summary).toContain(`${published.ip}:${published.port}`);

      const peer = await Peer.connect(published.port, "127.6.5.4");
      expect(await peer.echo("knock knock")).toBe(true);
      const after = await reachability(daemon.url);
      expect(after.status).toBe("PASS");
      expect(after.facts).toMatchObject({
        tunnelId: "qb",
        publicAddress: `${published.ip}:${published.port}`,
      });
      expect(after.facts.peer).toMatch(/^127\.6\.5\.4:\d+$/);
      expect(Date.parse(String(after.facts.firstInboundAt))).not.toBeNaN();
      peer.socket.destroy();
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("warns that no tunnel is configured when there is none", async () => {
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-reach-")),
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
    });
    try {
      const row = await reachability(daemon.url);
      expect(row.status).toBe("WARN");
      expect(row.summary).toMatch(/no tunnel is configured/i);
    } finally {
      await daemon.stop();
    }
  }, 30_000);
});
