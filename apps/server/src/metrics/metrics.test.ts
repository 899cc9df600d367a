import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, Peer, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { rawRequest } from "../security/testing/clients.js";
import { WITNESS, writeProbePlugins } from "../security/testing/probe-plugins.js";
import { startTestDaemon } from "../testing/daemon.js";
import { parseMetrics, sampleValue } from "./testing/scrape.js";

/**
 * `/metrics` of a real daemon on loopback with api.token set: a loopback tunnel (our STUN server, an echo
 * service), a probe check, and the scraper as Prometheus would be, with and without the token.
 */

const TOKEN = "metrics-test-token-0123456789";
const bearer = { authorization: `Bearer ${TOKEN}` };

let services: LoopbackServices;
let daemon: Awaited<ReturnType<typeof startTestDaemon>>;
beforeAll(async () => {
  services = await startLoopbackServices();
  daemon = await startTestDaemon({
    api: { listen: "127.0.0.1:0", token: TOKEN, corsOrigins: [] },
    dataDir: mkdtempSync(join(tmpdir(), "autostun-metrics-")),
    stun: { udp: [], tcp: [services.stun] },
    keepalive: { target: services.keepalive, intervalSeconds: 10 },
    plugins: { dirs: [writeProbePlugins()], config: {} },
    tunnels: [{ id: "qb", localPort: 0, target: services.echo, forward: "userspace" }],
  });
});
afterAll(async () => {
  await daemon?.stop();
  await services?.close();
});

async function scrape() {
  const response = await rawRequest(daemon.url, { path: "/metrics", headers: bearer });
  expect(response.status).toBe(200);
  return parseMetrics(response.body);
}

describe("GET /metrics with api.token set", () => {
  it("refuses a scrape without the token, or with a wrong one, and says what to send", async () => {
    const missing = await rawRequest(daemon.url, { path: "/metrics", headers: { authorization: "" } });
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(missing.body).toMatch(/Authorization: Bearer/);
    expect(missing.body).not.toContain("autostun_");

    // From another loopback address, so the back-off it earns does not hold up the other scrapes.
    const wrong = await rawRequest(daemon.url, {
      path: "/metrics",
      headers: { authorization: "Bearer not-the-token-at-all" },
      localAddress: "127.0.0.9",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatch(/wrong API token/);
    expect(wrong.body).not.toContain("autostun_");
  });

  it("refuses a web page on a foreign origin even with the token, as the API does", async () => {
    const response = await rawRequest(daemon.url, {
      path: "/metrics",
      headers: { ...bearer, origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain("autostun_");
  });

  it("answers GET only", async () => {
    const response = await rawRequest(daemon.url, { method: "POST", path: "/metrics", headers: bearer });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("GET, HEAD");
  });

  it("shows the tunnel's state, public port and bytes moving while a peer talks", async () => {
    type Row = { tunnels: { id: string; state: string; publicAddress: { port: number } | null }[] };
    const open = await gqlUntil<Row>(
      daemon.url,
      "{ tunnels { id state publicAddress { port } } }",
      (d) => d.tunnels[0]?.state === "OPEN",
      30_000,
      {},
      TOKEN,
    );
    const port = open.tunnels[0]?.publicAddress?.port as number;
    const before = await scrape();
    expect(sampleValue(before, "autostun_tunnel_state", { tunnel: "qb", state: "OPEN" })).toBe(1);
    expect(sampleValue(before, "autostun_tunnel_state", { tunnel: "qb", state: "RECOVERING" })).toBe(0);
    expect(sampleValue(before, "autostun_tunnel_public_port", { tunnel: "qb" })).toBe(port);
    expect(sampleValue(before, "autostun_tunnel_recoveries_total", { tunnel: "qb" })).toBe(0);
    const bytesBefore = sampleValue(before, "autostun_tunnel_bytes_in_total", { tunnel: "qb" }) ?? -1;
    expect(bytesBefore).toBeGreaterThanOrEqual(0);

    const peer = await Peer.connect(port, "127.0.0.5");
    expect(await peer.echo("counted by the scrape")).toBe(true);
    const during = await scrape();
    expect(sampleValue(during, "autostun_tunnel_connections_active", { tunnel: "qb" })).toBe(1);
    expect(sampleValue(during, "autostun_tunnel_bytes_in_total", { tunnel: "qb" })).toBe(
      bytesBefore + "counted by the scrape\n".length,
    );
    expect(sampleValue(during, "autostun_tunnel_bytes_out_total", { tunnel: "qb" })).toBeGreaterThan(0);
    expect(
      sampleValue(during, "autostun_tunnel_connections_handled_total", { tunnel: "qb" }),
    ).toBeGreaterThan(0);
    peer.socket.end();
    await peer.closed;
  });

  it("shows a check's status and duration once it has run", async () => {
    const before = await scrape();
    expect(sampleValue(before, "autostun_check_status", { check: WITNESS })).toBeUndefined();
    const ran = await gql(daemon.url, `mutation { runChecks(ids: ["${WITNESS}"]) { id status } }`, {}, TOKEN);
    expect(ran.errors).toBeUndefined();
    const after = await scrape();
    expect(sampleValue(after, "autostun_check_status", { check: WITNESS, status: "PASS" })).toBe(1);
    expect(sampleValue(after, "autostun_check_status", { check: WITNESS, status: "FAIL" })).toBe(0);
    expect(sampleValue(after, "autostun_check_duration_seconds", { check: WITNESS })).toBeGreaterThanOrEqual(
      0,
    );
  });

  it("includes the process metrics a Node service dashboard expects", async () => {
    const samples = await scrape();
    expect(sampleValue(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sampleValue(samples, "process_open_fds")).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === "nodejs_active_handles_total")).toBe(true);
    expect(samples.some((s) => s.name.startsWith("nodejs_eventloop_lag"))).toBe(true);
  });
});
