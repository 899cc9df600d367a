import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Services, type TunnelPorts } from "@autostun/plugins-api";
import { EMBEDDED_ATTRIBUTION } from "@autostun/relay";
import { StartupRefused } from "@autostun/runtime";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { StatusTunnel } from "../cli/status-report.js";
import { runCli, writeConfig } from "../security/testing/cli-process.js";
import { startTestDaemon } from "../testing/daemon.js";
import { gql, gqlUntil } from "./testing/graphql-client.js";
import { type LoopbackServices, Peer, startLoopbackServices } from "./testing/loopback-services.js";

/**
 * The relay inside a real daemon, on loopback only: our STUN server, keep-alive target and echo service
 * listen on 127.0.0.1, peers connect from other 127.x addresses. No NAT here (the lab tests have one);
 * this is the API a user and the console see.
 */

/** A tunnel as `autostun status` shows it, less the downloader, UPnP and IPv6 parts, plus where it came from. */
type TunnelRow = Omit<StatusTunnel, "downloader" | "upnp" | "ipv6"> & { origin: string };

const TUNNELS = `{ tunnels { id state reason localPort publicAddress { ip port } path origin
  stats { active handled blocked bytesIn bytesOut } } }`;

const CONNECTIONS = `query ($id: ID!, $first: Int, $after: String, $order: ConnectionOrder) {
  connections(tunnelId: $id, first: $first, after: $after, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id remoteAddress proxyAddress bytesIn bytesOut openedAt closedAt } } } }`;

let services: LoopbackServices;
beforeAll(async () => {
  services = await startLoopbackServices();
});
afterAll(() => services?.close());

function relayConfig(dataDir: string, tunnels: unknown[] = []) {
  return {
    dataDir,
    stun: { udp: [], tcp: [services.stun] },
    keepalive: { target: services.keepalive, intervalSeconds: 10 },
    tunnels,
  };
}

async function openTunnel(url: string, id: string): Promise<TunnelRow> {
  const data = await gqlUntil<{ tunnels: TunnelRow[] }>(url, TUNNELS, (d) =>
    d.tunnels.some((t) => t.id === id && t.state === "OPEN"),
  );
  return data.tunnels.find((t) => t.id === id) as TunnelRow;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

describe("a configured tunnel in the daemon", () => {
  it("forwards a peer both ways and shows it in tunnels, connections and resolvePeer", async () => {
    const daemon = await startTestDaemon(
      relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [{ id: "qb", target: services.echo }]),
    );
    try {
      const open = await openTunnel(daemon.url, "qb");
      expect(open).toMatchObject({ path: "USERSPACE", origin: "CONFIG", publicAddress: { ip: "127.0.0.1" } });
      expect(open.publicAddress?.port).toBe(open.localPort);
      // The private side is where the keep-alive really leaves from: loopback, towards a loopback target.
      const side = await gql<{ tunnels: { privateAddress: { ip: string; port: number } | null }[] }>(
        daemon.url,
        "{ tunnels { privateAddress { ip port } } }",
      );
      expect(side.data?.tunnels[0]?.privateAddress).toEqual({ ip: "127.0.0.1", port: open.localPort });
      // The firewall check asks for the ports peers must reach: the one chosen at run time.
      const ports = await daemon.container.resolve<TunnelPorts>(Services.TunnelPorts).localPorts();
      expect(ports).toEqual([open.localPort]);

      const peer = await Peer.connect(open.publicAddress?.port as number, "127.9.8.7");
      expect(await peer.echo("hello through the tunnel")).toBe(true);
      const second = await Peer.connect(open.publicAddress?.port as number, "127.9.8.8");
      expect(await second.echo("another peer")).toBe(true);
      second.socket.end();
      await second.closed;

      type Page = {
        connections: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: {
            node: {
              id: string;
              remoteAddress: string;
              proxyAddress: string;
              bytesIn: number;
              bytesOut: number;
              closedAt: string | null;
            };
          }[];
        };
      };
      const first = await gqlUntil<Page>(
        daemon.url,
        CONNECTIONS,
        (d) => d.connections.edges[0]?.node.closedAt != null,
        10_000,
        { id: "qb", first: 1 },
      );
      expect(first.connections.totalCount).toBe(2);
      expect(first.connections.pageInfo.hasNextPage).toBe(true);
      const newest = first.connections.edges[0]?.node;
      expect(newest?.remoteAddress).toMatch(/^127\.9\.8\.8:\d+$/);
      const next = await gql<Page>(daemon.url, CONNECTIONS, {
        id: "qb",
        first: 1,
        after: first.connections.pageInfo.endCursor,
      });
      const older = next.data?.connections.edges[0]?.node;
      expect(next.data?.connections.pageInfo.hasNextPage).toBe(false);
      expect(older?.remoteAddress).toMatch(/^127\.9\.8\.7:\d+$/);
      expect(older?.closedAt).toBeNull();
      expect(older?.proxyAddress).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
      expect(older?.proxyAddress.startsWith("127.0.0.1:")).toBe(false);

      // Bytes of a live connection arrive with the periodic flush; the closed one has them final.
      expect(newest?.bytesIn).toBe("another peer\n".length);
      expect(newest?.bytesOut).toBe("another peer\n".length);

      const credit = await gql<{ geoAttribution: string }>(daemon.url, `{ geoAttribution }`);
      expect(credit.data?.geoAttribution).toBe(EMBEDDED_ATTRIBUTION);

      const resolved = await gql<{ resolvePeer: { remoteAddress: string } | null }>(
        daemon.url,
        `query ($a: String!) { resolvePeer(address: $a) { remoteAddress } }`,
        { a: older?.proxyAddress },
      );
      expect(resolved.data?.resolvePeer?.remoteAddress).toBe(older?.remoteAddress);

      const stats = (await openTunnel(daemon.url, "qb")).stats;
      expect(stats).toMatchObject({ active: 1, handled: 2, blocked: 0 });
      expect(stats.bytesIn).toBeGreaterThan(0);
      peer.socket.destroy();
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("bans a peer: its live connection is cut within a second, the next is blocked, unban lets it back", async () => {
    const daemon = await startTestDaemon(
      relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [{ id: "qb", target: services.echo }]),
    );
    try {
      const open = await openTunnel(daemon.url, "qb");
      const port = open.publicAddress?.port as number;
      const live = await Peer.connect(port, "127.7.7.7");
      expect(await live.echo("before the ban")).toBe(true);

      const bannedAt = Date.now();
      const banned = await gql<{ ban: { cidr: string; reason: string; notApplied: unknown[] | null } }>(
        daemon.url,
        `mutation { ban(cidr: "127.7.7.7", reason: "leecher") { cidr reason notApplied { tunnelId } } }`,
      );
      expect(banned.data?.ban).toEqual({ cidr: "127.7.7.7/32", reason: "leecher", notApplied: [] });
      const closedAt = await live.closed;
      expect(closedAt - bannedAt).toBeLessThan(1_000);

      const refused = await Peer.connect(port, "127.7.7.7");
      expect(await refused.echo("while banned", 3_000)).toBe(false);
      const after = await openTunnel(daemon.url, "qb");
      expect(after.stats.blocked).toBe(1);
      const bans = await gql<{ bans: { cidr: string; source: string; notApplied: null }[] }>(
        daemon.url,
        `{ bans { cidr source notApplied { tunnelId } } }`,
      );
      expect(bans.data?.bans).toEqual([{ cidr: "127.7.7.7/32", source: "api", notApplied: null }]);

      const lifted = await gql<{ unban: boolean }>(daemon.url, `mutation { unban(cidr: "127.7.7.7/32") }`);
      expect(lifted.data?.unban).toBe(true);
      const back = await Peer.connect(port, "127.7.7.7");
      expect(await back.echo("after unban")).toBe(true);
      back.socket.destroy();

      const many = await gql(
        daemon.url,
        `mutation { a: ban(cidr: "192.0.2.1") { cidr } b: ban(cidr: "192.0.2.2") { cidr }
          c: ban(cidr: "192.0.2.3") { cidr } d: ban(cidr: "192.0.2.4") { cidr } }`,
      );
      expect(many.errors?.[0]?.extensions?.code).toBe("TOO_MANY_ROOT_FIELDS");
      expect((await gql<{ bans: unknown[] }>(daemon.url, `{ bans { cidr } }`)).data?.bans).toEqual([]);

      const bad = await gql(daemon.url, `mutation { ban(cidr: "10.0.0.1/8") { cidr } }`);
      expect(bad.errors?.[0]?.extensions?.code).toBe("INVALID_BAN");
      expect(bad.errors?.[0]?.message).toMatch(/10\.0\.0\.0\/8/);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});

interface SaveAnswer {
  tunnel: { id: string } | null;
  problems: { key: string; message: string; source: string }[];
}
const SAVE = `mutation ($t: TunnelInput!) { saveTunnel(input: $t) { tunnel { id } problems { key message source } } }`;

describe("tunnels saved through the API", () => {
  it("open, survive a restart with their bans, and deleteTunnel stops them and frees the port", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-relay-"));
    const fileTunnel = { id: "from-file", target: services.echo };
    let daemon = await startTestDaemon(relayConfig(dataDir, [fileTunnel]));
    let port: number;
    try {
      const save = await gql<{ saveTunnel: { tunnel: { id: string; origin: string }; problems: [] } }>(
        daemon.url,
        `mutation ($t: TunnelInput!) { saveTunnel(input: $t) { tunnel { id origin } problems { key } } }`,
        { t: { id: "saved", target: services.echo } },
      );
      expect(save.data?.saveTunnel).toEqual({ tunnel: { id: "saved", origin: "API" }, problems: [] });
      port = (await openTunnel(daemon.url, "saved")).localPort as number;
      await gql(daemon.url, `mutation { ban(cidr: "198.51.100.0/24", reason: "kept") { cidr } }`);

      const clash = await gql<{ saveTunnel: SaveAnswer }>(daemon.url, SAVE, {
        t: { id: "from-file", target: services.echo },
      });
      expect(clash.errors).toBeUndefined();
      expect(clash.data?.saveTunnel).toEqual({
        tunnel: null,
        problems: [
          {
            key: "tunnel.id",
            source: "saveTunnel input",
            message: expect.stringContaining("defined in the config file"),
          },
        ],
      });
    } finally {
      await daemon.stop();
    }
    expect(await portIsFree(port)).toBe(true);

    daemon = await startTestDaemon(relayConfig(dataDir, [fileTunnel]));
    try {
      const back = await openTunnel(daemon.url, "saved");
      expect(back.origin).toBe("API");
      const bans = await gql<{ bans: { cidr: string; reason: string }[] }>(
        daemon.url,
        `{ bans { cidr reason } }`,
      );
      expect(bans.data?.bans).toEqual([{ cidr: "198.51.100.0/24", reason: "kept" }]);
      const peer = await Peer.connect(back.publicAddress?.port as number, "127.3.3.3");
      expect(await peer.echo("after restart")).toBe(true);

      const deleted = await gql<{ deleteTunnel: boolean }>(
        daemon.url,
        `mutation { deleteTunnel(id: "saved") }`,
      );
      expect(deleted.data?.deleteTunnel).toBe(true);
      expect(await peer.closed).toBeGreaterThan(0);
      expect(await portIsFree(back.localPort as number)).toBe(true);
      const left = await gql<{ tunnels: { id: string }[] }>(daemon.url, `{ tunnels { id } }`);
      expect(left.data?.tunnels.map((t) => t.id)).toEqual(["from-file"]);
      const fileOne = await gql(daemon.url, `mutation { deleteTunnel(id: "from-file") }`);
      expect(fileOne.errors?.[0]?.extensions?.code).toBe("TUNNEL_IN_CONFIG");
    } finally {
      await daemon.stop();
    }

    daemon = await startTestDaemon(relayConfig(dataDir, []));
    try {
      const none = await gql<{ tunnels: unknown[] }>(daemon.url, `{ tunnels { id } }`);
      expect(none.data?.tunnels).toEqual([]);
    } finally {
      await daemon.stop();
    }
  }, 90_000);

  it("are validated like the config file: same keys, same words, and targets outside the LAN refused", async () => {
    const daemon = await startTestDaemon(relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-"))));
    try {
      const save = async (t: Record<string, unknown>) => {
        const answer = await gql<{ saveTunnel: SaveAnswer }>(daemon.url, SAVE, { t });
        expect(answer.errors).toBeUndefined();
        expect(answer.data?.saveTunnel.tunnel).toBeNull();
        return answer.data?.saveTunnel.problems ?? [];
      };
      const [port] = await save({ id: "p", target: services.echo, localPort: 70000 });
      expect(port).toMatchObject({ key: "tunnel.localPort", source: "saveTunnel input" });
      const [shape] = await save({ id: "p", target: "no-port" });
      expect(shape).toMatchObject({
        key: "tunnel.target",
        message: expect.stringContaining('expected "host:port"'),
      });
      // A mode the enum does not hold never reaches the daemon: GraphQL names the value and where it was.
      const forward = await gql(daemon.url, SAVE, {
        t: { id: "p", target: services.echo, forward: "iptables" },
      });
      expect(forward.errors?.[0]?.message).toMatch(/"iptables" at "t\.forward".*ForwardMode/);
      const [outside] = await save({ id: "open-proxy", target: "203.0.113.9:80" });
      expect(outside).toMatchObject({ key: "tunnel.target", message: expect.stringContaining("open-proxy") });
      const none = await gql<{ tunnels: unknown[] }>(daemon.url, `{ tunnels { id } }`);
      expect(none.data?.tunnels).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });
});

describe("tunnel events", () => {
  it("tunnelUpdated tells a subscriber when a tunnel stops and opens again, with openSince only while OPEN", async () => {
    const daemon = await startTestDaemon(
      relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [{ id: "qb", target: services.echo }]),
    );
    const client = createClient({
      url: `${daemon.url.replace("http", "ws")}graphql`,
      webSocketImpl: WebSocket,
      connectionParams: daemon.auth,
    });
    try {
      await openTunnel(daemon.url, "qb");
      const seen: string[] = [];
      const openSince: (string | null)[] = [];
      const reopened = new Promise<void>((resolve, reject) => {
        client.subscribe<{ tunnelUpdated: { id: string; state: string; openSince: string | null } }>(
          { query: "subscription { tunnelUpdated { id state openSince } }" },
          {
            next: ({ data }) => {
              if (data) seen.push(`${data.tunnelUpdated.id} ${data.tunnelUpdated.state}`);
              if (data) openSince.push(data.tunnelUpdated.openSince);
              if (seen.includes("qb STOPPED") && data?.tunnelUpdated.state === "OPEN") resolve();
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      // The subscription is registered asynchronously; give it a moment before causing events.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await gql(daemon.url, `mutation { stopTunnel(id: "qb") { state } }`)).data).toEqual({
        stopTunnel: { state: "STOPPED" },
      });
      // A stopped tunnel forwards nothing, so its counters are unknown: null, not zeros that look measured.
      const stopped = await gql<{ tunnels: { stats: Record<string, number | null> }[] }>(
        daemon.url,
        "{ tunnels { stats { active handled blocked bytesIn bytesOut } } }",
      );
      expect(stopped.data?.tunnels[0]?.stats).toEqual({
        active: null,
        handled: null,
        blocked: null,
        bytesIn: null,
        bytesOut: null,
      });
      const startedAt = Date.now();
      await gql(daemon.url, `mutation { startTunnel(id: "qb") { state } }`);
      await reopened;
      expect(seen.slice(0, 2)).toEqual(["qb STOPPED", "qb OPENING"]);
      // Uptime restarts with the new open, and a tunnel that is not OPEN has none.
      const opened = seen.indexOf("qb OPEN", seen.indexOf("qb STOPPED"));
      expect(openSince.slice(0, opened).every((at) => at === null)).toBe(true);
      expect(Date.parse(openSince[opened] ?? "")).toBeGreaterThanOrEqual(startedAt);
      const listed = await gql<{ tunnels: { openSince: string | null }[] }>(
        daemon.url,
        `{ tunnels { openSince } }`,
      );
      expect(listed.data?.tunnels[0]?.openSince).toBe(openSince[opened]);
    } finally {
      await client.dispose();
      await daemon.stop();
    }
  }, 60_000);
});

describe("starting with a tunnel that must not run", () => {
  it("refuses a target outside loopback and the LAN, naming the tunnel", async () => {
    const start = startTestDaemon(
      relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [{ id: "web", target: "203.0.113.7:80" }]),
    );
    await expect(start).rejects.toThrow(StartupRefused);
    await expect(start).rejects.toThrow(/"web"/);
  });
});

describe("autostun status", () => {
  it("asks the running daemon for tunnels and checks, with the config's token", async () => {
    const token = "status-test-token-0123456789";
    const daemon = await startTestDaemon({
      ...relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [{ id: "qb", target: services.echo }]),
      api: { listen: "127.0.0.1:0", token },
    });
    try {
      const listen = new URL(daemon.url).host;
      const open = await gqlUntil<{ tunnels: TunnelRow[] }>(
        daemon.url,
        TUNNELS,
        (d) => d.tunnels[0]?.state === "OPEN",
        30_000,
        {},
        token,
      );
      const { file } = writeConfig(`api: { listen: "${listen}", token: "${token}" }\n`);
      const json = await runCli(["status", "--json", "--config", file]);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { tunnels: TunnelRow[]; checks: { id: string }[] };
      expect(report.tunnels).toMatchObject([
        { id: "qb", state: "OPEN", localPort: open.tunnels[0]?.localPort },
      ]);
      expect(report.checks.length).toBeGreaterThan(0);
      const text = await runCli(["status", "--config", file]);
      expect(text.stdout).toContain(`qb: OPEN — 127.0.0.1:${open.tunnels[0]?.localPort}`);

      const { file: wrong } = writeConfig(
        `api: { listen: "${listen}", token: "not-the-token-at-all-123" }\n`,
      );
      const refused = await runCli(["status", "--config", wrong]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("api.token");
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("prints each tunnel's downloader: kind, state, the port asked and why it has not taken it", async () => {
    // Nothing listens on this port: the push fails as UNREACHABLE and keeps retrying.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const rpcPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const password = "status-downloader-secret";
    const downloader = {
      kind: "transmission",
      url: `http://127.0.0.1:${rpcPort}`,
      username: "admin",
      password,
    };
    const daemon = await startTestDaemon(
      relayConfig(mkdtempSync(join(tmpdir(), "autostun-relay-")), [
        { id: "tr", target: services.echo, downloader },
      ]),
    );
    try {
      const listen = new URL(daemon.url).host;
      await gqlUntil<{ tunnels: { downloader: { errorKind: string | null } | null }[] }>(
        daemon.url,
        "{ tunnels { downloader { errorKind } } }",
        (d) => d.tunnels[0]?.downloader?.errorKind === "UNREACHABLE",
        30_000,
      );
      // The daemon's dataDir, where `status` finds its token file, as it would in the daemon's own config.
      const { file } = writeConfig(
        `api: { listen: "${listen}" }\ndataDir: ${JSON.stringify(daemon.config.dataDir)}\n`,
      );
      const json = await runCli(["status", "--json", "--config", file]);
      const report = JSON.parse(json.stdout) as {
        tunnels: { downloader: { requestedPort: number | null } | null }[];
      };
      expect(report.tunnels[0]).toMatchObject({
        downloader: { kind: "transmission", errorKind: "UNREACHABLE", verifiedPort: null },
        upnp: null,
      });
      const port = report.tunnels[0]?.downloader?.requestedPort;
      expect(port).toBeGreaterThan(0);
      const text = await runCli(["status", "--config", file], {
        env: { LC_ALL: "", LC_MESSAGES: "", LANG: "C" },
      });
      expect(text.stdout).toMatch(
        new RegExp(
          `downloader transmission: (RETRYING|PUSHING), asked to take port ${port}, not verified yet`,
        ),
      );
      expect(text.stdout).toContain("why: UNREACHABLE: ");
      const chinese = await runCli(["status", "--config", file], {
        env: { LC_ALL: "", LC_MESSAGES: "", LANG: "zh_CN.UTF-8" },
      });
      expect(chinese.stdout).toContain(`下载器 transmission：`);
      expect(chinese.stdout).toContain(`已要求使用端口 ${port}，尚未验证`);
      for (const output of [json.stdout, text.stdout, chinese.stdout]) expect(output).not.toContain(password);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
