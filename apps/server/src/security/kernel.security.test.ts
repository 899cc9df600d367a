import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import { LAB_ECHO, labConfig, startLabServices } from "../lab/testing/lab-services.js";
import { LanDaemon } from "../lab/testing/lan-daemon.js";
import { WanPeer } from "../lab/testing/wan-peer.js";

/**
 * Issue 19, findings 2 and 6: the daemon leaves the kernel as it found it (no table of ours and
 * route_localnet back after SIGKILL, a ruleset flush or both), notices a flushed ruleset while it runs,
 * and the forwarder's limits hold against silent peers and against one address opening many connections
 * on the nftables path. `autostun serve` runs inside the LAN namespace of a NAT1 lab; peers are WAN
 * addresses. Needs root: createTestLab fails loudly without it.
 */

const TOKEN = "kernel-security-suite-token-4f9c2a";
const LOCAL_PORT = 40_919;
const LOCALNET = "net.ipv4.conf.all.route_localnet";

async function waitUntil<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${deadlineMs} ms ${last ? String(last) : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function sysctl(lab: Lab, ns: "lan" | "router", key: string): Promise<string> {
  return (await lab.exec(ns, "sysctl", ["-n", key])).stdout.trim();
}

/** The LAN host's interface towards the router: where peers (and the LAN neighbour) arrive. */
async function lanInterface(lab: Lab): Promise<string> {
  const routes = JSON.parse((await lab.exec("lan", "ip", ["-j", "-4", "route", "show", "default"])).stdout);
  return routes[0].dev as string;
}

async function localnetValues(lab: Lab): Promise<{ all: string; dev: string }> {
  const dev = await lanInterface(lab);
  return {
    all: await sysctl(lab, "lan", LOCALNET),
    dev: await sysctl(lab, "lan", `net.ipv4.conf.${dev}.route_localnet`),
  };
}

async function ourTables(lab: Lab): Promise<string[]> {
  const listed = await lab.exec("lan", "nft", ["list", "tables"]);
  return listed.stdout.split("\n").filter((line) => /autostun/.test(line));
}

/** One GraphQL request with the token, from inside the LAN namespace where the loopback API is. */
async function gql<T>(lab: Lab, url: string, query: string): Promise<{ data?: T; errors?: unknown[] }> {
  const script = `fetch(${JSON.stringify(url)},{method:"POST",headers:{"content-type":"application/json",authorization:"Bearer ${TOKEN}"},body:JSON.stringify({query:${JSON.stringify(query)}})}).then(async r=>process.stdout.write(await r.text()),e=>{console.error(String(e));process.exitCode=2})`;
  const result = await lab.exec("lan", process.execPath, ["-e", script], { timeoutMs: 20_000 });
  if (result.code !== 0) throw new Error(`GraphQL request failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

type TunnelState = { id: string; state: string; reason: string; stats: { handled: number; blocked: number } };
const TUNNELS = "{ tunnels { id state reason stats { handled blocked } } }";

async function serve(
  lab: Lab,
  keepalive: string,
  dataDir: string,
  tunnels: Record<string, unknown>[],
  extra = {},
) {
  const config = await lab.writeConfig({
    ...labConfig(keepalive, { tunnels }),
    api: { listen: "127.0.0.1:0", token: TOKEN },
    dataDir,
    ...extra,
  });
  const daemon = LanDaemon.start(lab, config);
  const url = await daemon.ready();
  return { daemon, url };
}

/** Knocks from `from` until a line comes back through the tunnel's public address, or the deadline. */
async function reaches(lab: Lab, from: string, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const peer = WanPeer.open(lab, from, { ip: lab.publicIp, port: LOCAL_PORT });
    peer.send(`knock ${attempt}`);
    const through = await peer.echoed(`knock ${attempt}`, 3_000);
    peer.child.kill("SIGKILL");
    if (through) return true;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

const NFTABLES_TUNNEL = [{ id: "kern", localPort: LOCAL_PORT, target: LAB_ECHO, forward: "nftables" }];

async function crashAndRestart(context: TestContext, flush: boolean) {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  const dataDir = mkdtempSync(join(tmpdir(), "autostun-kernel-"));
  const keepalive = await startLabServices(lab);
  const before = await localnetValues(lab);
  const first = await serve(lab, keepalive, dataDir, NFTABLES_TUNNEL);
  // The tunnel is open and its rules loaded once our table is there and 127/8 is routable somewhere.
  await waitUntil("the nftables tunnel's rules loaded", 90_000, async () => {
    const now = await localnetValues(lab);
    const changed = now.all !== before.all || now.dev !== before.dev;
    return (await ourTables(lab)).length > 0 && changed ? true : undefined;
  });
  // Scoped to the interface peers arrive on, and recorded before it changed, readable by root alone.
  expect((await localnetValues(lab)).all).toBe(before.all);
  expect(statSync(join(dataDir, "kernel-state.json")).mode & 0o777).toBe(0o600);
  first.daemon.child.kill("SIGKILL");
  await first.daemon.exited;
  expect((await ourTables(lab)).length, "the killed daemon left its table behind").toBeGreaterThan(0);
  if (flush) expect((await lab.exec("lan", "nft", ["flush", "ruleset"])).code).toBe(0);

  // The next start has no nftables tunnel at all: the sweep must not depend on one.
  const second = await serve(lab, keepalive, dataDir, []);
  const after = await waitUntil("the start after the crash left the kernel as found", 20_000, async () => {
    const tables = await ourTables(lab);
    const now = await localnetValues(lab);
    return tables.length === 0 && now.all === before.all && now.dev === before.dev ? now : undefined;
  }).catch(async (error) => {
    throw new Error(
      `${(error as Error).message}\nbefore ${JSON.stringify(before)}, now ${JSON.stringify(await localnetValues(lab))}, tables ${JSON.stringify(await ourTables(lab))}`,
    );
  });
  expect(after).toEqual(before);
  expect(existsSync(join(dataDir, "kernel-state.json")), "the state file outlived the restore").toBe(false);
  expect(await second.daemon.stop()).toBe(0);
}

describe.concurrent("the kernel is left as found", () => {
  test("SIGKILL with an nftables tunnel, then a start without it: no table of ours, route_localnet as before", {
    timeout: 180_000,
  }, async (context) => {
    await crashAndRestart(context, false);
  });

  test("SIGKILL, nft flush ruleset, then a start without the tunnel: route_localnet as before", {
    timeout: 180_000,
  }, async (context) => {
    await crashAndRestart(context, true);
  });

  test("nft flush ruleset while the tunnel runs: 127/8 is closed to the LAN again, and the tunnel forwards or says FAILED", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-kernel-"));
    const before = await localnetValues(lab);
    // A loopback-only listener standing in for the API, with something to steal.
    lab.spawn("lan", "socat", [
      "TCP4-LISTEN:7999,bind=127.0.0.1,reuseaddr,fork",
      "SYSTEM:echo loopback-secret",
    ]);
    await lab.waitForListening("lan", { tcp: ["127.0.0.1:7999"] });
    // The LAN neighbour (the router's namespace) sends packets for 127.0.0.1 to the host.
    const toLan = JSON.parse((await lab.exec("router", "ip", ["-j", "route", "get", lab.lanIp])).stdout)[0]
      .dev as string;
    for (const args of [
      ["addr", "flush", "dev", "lo"],
      ["route", "add", "127.0.0.1/32", "via", lab.lanIp, "dev", toLan],
    ])
      expect((await lab.exec("router", "ip", args)).code).toBe(0);
    await lab.exec("router", "sysctl", ["-w", `${LOCALNET}=1`, `net.ipv4.conf.${toLan}.route_localnet=1`]);
    const neighbourReaches = async () => {
      const probe = await lab.exec(
        "router",
        "socat",
        ["-T2", "-", `TCP4:127.0.0.1:7999,bind=${lab.lanGatewayIp},connect-timeout=2`],
        { timeoutMs: 6_000, input: "" },
      );
      return probe.stdout.includes("loopback-secret");
    };

    const { daemon, url } = await serve(lab, await startLabServices(lab), dataDir, NFTABLES_TUNNEL);
    const peer = await lab.addWanAddress();
    expect(await reaches(lab, peer, 90_000), "a WAN peer got through before the flush").toBe(true);
    expect(await neighbourReaches(), "the neighbour reached 127.0.0.1 before the flush").toBe(false);

    expect((await lab.exec("lan", "nft", ["flush", "ruleset"])).code).toBe(0);
    const flushedAt = Date.now();
    await waitUntil("route_localnet back as before, or the guard back", 20_000, async () => {
      const now = await localnetValues(lab);
      const restored = now.all === before.all && now.dev === before.dev;
      const guard = (await lab.exec("lan", "nft", ["list", "ruleset"])).stdout.includes("route_localnet was");
      return restored || guard ? true : undefined;
    });
    console.log(`after the flush, 127/8 closed again within ${Date.now() - flushedAt} ms`);
    expect(await neighbourReaches(), "the neighbour reached 127.0.0.1 after the flush").toBe(false);

    // Forwarding again, or FAILED with the reason: never OPEN while the kernel refuses its peers.
    const outcome = await waitUntil("the tunnel forwards again or says FAILED", 60_000, async () => {
      if (await reaches(lab, peer, 4_000)) return "forwards";
      const answer = await gql<{ tunnels: TunnelState[] }>(lab, url, TUNNELS);
      const tunnel = answer.data?.tunnels[0];
      return tunnel?.state === "FAILED" && tunnel.reason ? `FAILED: ${tunnel.reason}` : undefined;
    });
    console.log(`after the flush the tunnel ${outcome} (${Date.now() - flushedAt} ms)`);
    expect(await neighbourReaches(), "the neighbour reached 127.0.0.1 after the re-apply").toBe(false);
    expect(await daemon.stop()).toBe(0);
    expect(await localnetValues(lab)).toEqual(before);
  });
});

/**
 * Opens PER connections from each of ADDRESSES to the tunnel's public address and sends nothing;
 * prints `{ open, closed, refused }` on every change (refused: closed before it ever connected).
 */
const SILENT_PEERS = `
const net = require("node:net");
const [host, port, per, ...addresses] = process.argv.slice(1);
const count = { open: 0, closed: 0, refused: 0 };
const report = () => process.stdout.write(JSON.stringify(count) + "\\n");
for (const localAddress of addresses)
  for (let i = 0; i < Number(per); i++) {
    const socket = net.connect({ host, port: Number(port), localAddress });
    let connected = false;
    socket.on("connect", () => { connected = true; count.open++; report(); });
    socket.on("error", () => {});
    socket.on("close", () => { if (connected) count.closed++; else count.refused++; report(); });
  }`;

/** A target on the LAN's loopback that echoes and prints how many connections it accepted. */
const COUNTING_ECHO = `
let accepted = 0;
require("node:net").createServer((socket) => {
  accepted++; process.stdout.write("accepted " + accepted + "\\n");
  socket.on("error", () => {}); socket.pipe(socket);
}).listen(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("listening\\n"));`;

function lines(child: import("node:child_process").ChildProcess): { last: () => string; all: string[] } {
  const all: string[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    all.push(...parts);
  });
  return { all, last: () => all[all.length - 1] ?? "" };
}

async function countingTarget(lab: Lab, port: number) {
  const out = lines(lab.spawn("lan", process.execPath, ["-e", COUNTING_ECHO, String(port)]));
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${port}`] });
  return () =>
    Number(/accepted (\d+)/.exec(out.all.filter((l) => l.startsWith("accepted")).at(-1) ?? "")?.[1] ?? 0);
}

function silentPeers(lab: Lab, addresses: readonly string[], per: number) {
  const child = lab.spawn("wan", process.execPath, [
    "-e",
    SILENT_PEERS,
    lab.publicIp,
    String(LOCAL_PORT),
    String(per),
    ...addresses,
  ]);
  const out = lines(child);
  return {
    child,
    count: (): { open: number; closed: number; refused: number } =>
      out.last() ? JSON.parse(out.last()) : { open: 0, closed: 0, refused: 0 },
  };
}

describe.concurrent("the forwarder's limits hold", () => {
  test("1,000 silent connections from 125 addresses × 8 are closed after the first-byte timeout, and a peer that speaks gets in", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    await countingTarget(lab, 7_101);
    const tunnel = {
      id: "slow",
      localPort: LOCAL_PORT,
      target: "127.0.0.1:7101",
      forward: "userspace",
      firstByteTimeoutSeconds: 2,
    };
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-kernel-"));
    const { daemon } = await serve(lab, await startLabServices(lab), dataDir, [tunnel]);
    const speaker = await lab.addWanAddress();
    expect(await reaches(lab, speaker, 90_000), "a WAN peer got through before the flood").toBe(true);

    const addresses: string[] = [];
    for (let i = 0; i < 125; i++) addresses.push(await lab.addWanAddress());
    const silent = silentPeers(lab, addresses, 8);
    const opened = await waitUntil("the silent peers connected", 60_000, async () => {
      const now = silent.count();
      return now.open + now.refused >= 1_000 ? now : undefined;
    });
    console.log(`silent peers: ${JSON.stringify(opened)}`);
    const startedAt = Date.now();
    expect(await reaches(lab, speaker, 30_000), "a peer that speaks got in past the silent ones").toBe(true);
    console.log(`a speaking peer got in ${Date.now() - startedAt} ms after the silent ones connected`);
    const closed = await waitUntil("every silent connection closed by the daemon", 30_000, async () => {
      const now = silent.count();
      return now.closed + now.refused >= 1_000 ? now : undefined;
    });
    expect(closed.closed).toBe(opened.open);
    silent.child.kill("SIGKILL");
    expect(await daemon.stop()).toBe(0);
  });

  test("forward: nftables: one address opening 50 connections gets only the per-address limit forwarded", {
    timeout: 180_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
    const accepted = await countingTarget(lab, 7_102);
    const tunnel = { id: "many", localPort: LOCAL_PORT, target: "127.0.0.1:7102", forward: "nftables" };
    const dataDir = mkdtempSync(join(tmpdir(), "autostun-kernel-"));
    const { daemon, url } = await serve(lab, await startLabServices(lab), dataDir, [tunnel]);
    expect(await reaches(lab, await lab.addWanAddress(), 90_000), "the rules are loaded").toBe(true);
    const before = accepted();

    const many = silentPeers(lab, [await lab.addWanAddress()], 50);
    const settled = await waitUntil("all 50 connections connected or refused", 60_000, async () => {
      const now = many.count();
      return now.open + now.refused >= 50 ? now : undefined;
    });
    const forwarded = accepted() - before;
    console.log(`one address, 50 connections: ${JSON.stringify(settled)}, target accepted ${forwarded}`);
    expect(forwarded).toBe(8);
    expect(settled.refused).toBe(42);
    const stats = await gql<{ tunnels: TunnelState[] }>(lab, url, TUNNELS);
    expect(stats.data?.tunnels[0]?.stats.blocked).toBeGreaterThanOrEqual(42);
    many.child.kill("SIGKILL");
    expect(await daemon.stop()).toBe(0);
  });
});
