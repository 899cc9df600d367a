import { type CommandRunner, Services } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseMetrics, sampleValue } from "../metrics/testing/scrape.js";
import { gql, gqlUntil } from "../relay/testing/graphql-client.js";
import { type LoopbackServices, startLoopbackServices } from "../relay/testing/loopback-services.js";
import { rawRequest } from "../security/testing/clients.js";
import { startTestDaemon } from "../testing/daemon.js";
import { Tokens } from "../tokens.js";
import { FAKE_ROUTER, fakePinholeRouter } from "./testing/fake-pinhole-router.js";

/**
 * Tunnel.ipv6 through a real daemon on loopback. This host's global IPv6 address and the home router
 * are the two things a test here may not have or reach: `ip -j -6 addr` answers a stable and a
 * temporary address, and the router is a fake firewall that the portmapper's real PinholeKeeper opens
 * and deletes pinholes on (miniupnpd stands in for it in the lab test).
 */

const STABLE = "2001:db8:5::10";
const IP_ADDR = JSON.stringify([
  {
    ifname: "eth0",
    addr_info: [
      { family: "inet6", local: "2001:db8:5::beef", prefixlen: 64, scope: "global", temporary: true },
      { family: "inet6", local: STABLE, prefixlen: 64, scope: "global" },
    ],
  },
]);

type Ipv6 = {
  address: string | null;
  port: number;
  pinhole: {
    state: string;
    protocol: string | null;
    gateway: string | null;
    tcp: boolean;
    udp: boolean;
    leaseEndsAt: string | null;
    error: string | null;
  } | null;
};
type Row = { id: string; state: string; ipv6: Ipv6 | null };
const TUNNELS = `{ tunnels { id state ipv6 { address port pinhole { state protocol gateway tcp udp leaseEndsAt error } } } }`;
const rowOf = (data: { tunnels: Row[] }, id: string) => data.tunnels.find((t) => t.id === id) as Row;

let services: LoopbackServices;
let daemon: Awaited<ReturnType<typeof startTestDaemon>>;
const router = fakePinholeRouter();
let echoPort: number;

beforeAll(async () => {
  services = await startLoopbackServices();
  echoPort = Number(services.echo.split(":")[1]);
  const real = createCommandRunner();
  const runner: CommandRunner = {
    run: (file, args, options) =>
      file === "ip" && args.join(" ") === "-j -6 addr"
        ? Promise.resolve({ exitCode: 0, stdout: IP_ADDR, stderr: "" })
        : real.run(file, args, options),
  };
  daemon = await startTestDaemon(
    {
      stun: { udp: [], tcp: [services.stun] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      upnp: { enabled: true, leaseSeconds: 600 },
      // startTestDaemon takes tunnels as written, without the schema's defaults: every key is spelled out.
      tunnels: [
        { id: "local", localPort: 0, target: services.echo, forward: "userspace", udp: true },
        // A downloader on another machine of the LAN: nothing is sent there, the tunnel only has to open.
        { id: "lan", localPort: 0, target: "192.168.77.9:6881", forward: "userspace", udp: false },
      ],
    },
    (c) => {
      c.register(Services.CommandRunner, { useValue: runner });
      c.register(Tokens.Ipv6PathParts, { useValue: { find: router.find } });
    },
  );
}, 30_000);
afterAll(async () => {
  await daemon?.stop();
  await services?.close();
});

async function scrape() {
  const response = await rawRequest(daemon.url, { path: "/metrics", headers: daemon.auth });
  expect(response.status).toBe(200);
  return parseMetrics(response.body);
}

describe("Tunnel.ipv6 in a running daemon", () => {
  it("opens a pinhole for TCP and UDP to the stable address on the downloader's port, and shows it", async () => {
    const data = await gqlUntil<{ tunnels: Row[] }>(
      daemon.url,
      TUNNELS,
      (d) => rowOf(d, "local").ipv6?.pinhole?.state === "OPEN" && rowOf(d, "lan").ipv6 !== null,
    );
    const local = rowOf(data, "local").ipv6 as Ipv6;
    expect(local).toMatchObject({
      address: STABLE,
      port: echoPort,
      pinhole: { state: "OPEN", protocol: "UPNP", gateway: FAKE_ROUTER, tcp: true, udp: true, error: null },
    });
    const lease = Date.parse(local.pinhole?.leaseEndsAt as string) - Date.now();
    expect(lease).toBeGreaterThan(500_000);
    expect(lease).toBeLessThanOrEqual(600_000);
    expect([...router.open].sort()).toEqual([`[${STABLE}]:${echoPort}/TCP`, `[${STABLE}]:${echoPort}/UDP`]);

    const samples = await scrape();
    const open = (tunnel: string, transport: string) =>
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel, transport });
    expect(open("local", "tcp")).toBe(1);
    expect(open("local", "udp")).toBe(1);
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_lease_seconds", { tunnel: "local" }),
    ).toBeGreaterThan(500);

    const activity = await daemon.services.get(Services.TunnelActivity).tunnels();
    expect(activity.find((t) => t.id === "local")?.ipv6).toMatchObject({
      address: STABLE,
      port: echoPort,
      pinhole: { state: "OPEN", protocol: "upnp", tcp: true, udp: true },
    });
  }, 40_000);

  it("says no pinhole can be opened for a downloader on another machine, and why", async () => {
    const data = await gqlUntil<{ tunnels: Row[] }>(
      daemon.url,
      TUNNELS,
      (d) => rowOf(d, "lan").ipv6 !== null,
    );
    const lan = rowOf(data, "lan").ipv6 as Ipv6;
    expect(lan.address).toBeNull();
    expect(lan.port).toBe(6881);
    expect(lan.pinhole).toMatchObject({ state: "UNSUPPORTED", tcp: false, udp: false });
    expect(lan.pinhole?.error).toMatch(/another machine/);
    expect([...router.open].some((name) => name.includes(":6881/"))).toBe(false);
    const samples = await scrape();
    expect(
      sampleValue(samples, "autostun_tunnel_ipv6_pinhole_open", { tunnel: "lan", transport: "tcp" }),
    ).toBe(0);
  }, 40_000);

  it("publishes tunnelUpdated as the pinhole is deleted on stop and opened again on start", async () => {
    const client = createClient({
      url: `${daemon.url.replace("http", "ws")}graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      connectionParams: { authorization: `Bearer ${daemon.token}` },
    });
    type Update = { id: string; ipv6: { pinhole: { state: string } | null } | null };
    const states: string[] = [];
    const reopened = new Promise<void>((resolve, reject) => {
      client.subscribe<{ tunnelUpdated: Update }>(
        { query: "subscription { tunnelUpdated { id ipv6 { pinhole { state } } } }" },
        {
          next: ({ data }) => {
            const update = data?.tunnelUpdated;
            if (update?.id !== "local") return;
            const state = update.ipv6?.pinhole?.state ?? "none";
            if (states.at(-1) !== state) states.push(state);
            if (states.includes("REMOVED") && state === "OPEN") resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
      setTimeout(() => reject(new Error(`no REMOVED then OPEN in 30 s; got ${states.join(", ")}`)), 30_000);
    });
    try {
      await new Promise((resolve) => client.on("connected", resolve));
      expect((await gql(daemon.url, `mutation { stopTunnel(id: "local") { id } }`)).errors).toBeUndefined();
      expect([...router.open]).toEqual([]);
      await gql(daemon.url, `mutation { startTunnel(id: "local") { id } }`);
      await reopened;
      expect(router.open.size).toBe(2);
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it("deletes the pinholes when upnp is turned off, shows the path without one, and opens them again when on", async () => {
    const relay = daemon.services.get(Tokens.Relay);
    await relay.reconfigure({ ...daemon.config, upnp: { enabled: false, leaseSeconds: 600 } });
    expect([...router.open]).toEqual([]);
    const off = await gqlUntil<{ tunnels: Row[] }>(
      daemon.url,
      TUNNELS,
      (d) => rowOf(d, "local").ipv6?.pinhole === null,
    );
    expect(rowOf(off, "local").ipv6).toEqual({ address: STABLE, port: echoPort, pinhole: null });
    expect(rowOf(off, "lan").ipv6?.pinhole).toBeNull();
    const samples = await scrape();
    expect(samples.filter((s) => s.name.startsWith("autostun_tunnel_ipv6_"))).toEqual([]);

    await relay.reconfigure({ ...daemon.config, upnp: { enabled: true, leaseSeconds: 600 } });
    await gqlUntil<{ tunnels: Row[] }>(
      daemon.url,
      TUNNELS,
      (d) => rowOf(d, "local").ipv6?.pinhole?.state === "OPEN",
    );
    expect(router.open.size).toBe(2);
  }, 40_000);

  it("deletes every pinhole when the daemon stops (what SIGTERM does)", async () => {
    expect(router.open.size).toBe(2);
    await daemon.stop();
    expect([...router.open]).toEqual([]);
  }, 30_000);
});
