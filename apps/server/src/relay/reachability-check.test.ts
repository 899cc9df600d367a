import { execFileSync, spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StunServer, startStunServer } from "@autostun/stun";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon } from "../testing/daemon.js";
import { requireRoot } from "../testing/require-root.js";
import { gql, gqlUntil } from "./testing/graphql-client.js";
import { type LoopbackServices, Peer, startLoopbackServices } from "./testing/loopback-services.js";

/**
 * `relay.reachability` in a real daemon on loopback: a tunnel to a local echo service, a "peer" from
 * another 127.x address coming in through the tunnel's published address.
 */

type CheckRow = { id: string; status: string; summary: string; facts: Record<string, unknown> };
const RUN = `mutation { runChecks(ids: ["relay.reachability"]) { id status summary facts } }`;

let services: LoopbackServices;
/** A STUN server answering over UDP and TCP, for tunnels that hold a UDP side as well. */
let stun: StunServer;
let stunBoth: string;
/** The target's UDP half: answers datagrams on the TCP echo's port number, as a downloader does. */
let udpEcho: UdpSocket;
beforeAll(async () => {
  services = await startLoopbackServices();
  stun = await startStunServer({ primary: "127.0.0.1", port: 0, onError: () => {} });
  stunBoth = `127.0.0.1:${stun.endpoints[0]?.port}`;
  udpEcho = createSocket("udp4");
  udpEcho.on("message", (message, from) => udpEcho.send(message, from.port, from.address));
  udpEcho.bind(Number(services.echo.split(":")[1]), "127.0.0.1");
  await once(udpEcho, "listening");
});
afterAll(async () => {
  udpEcho?.close();
  await stun?.close();
  await services?.close();
});

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

  it("keeps the TCP verdict of before, without a word of UDP, for a tunnel with udp: false", async () => {
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-reach-")),
      stun: { udp: [stunBoth], tcp: [stunBoth] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      tunnels: [{ id: "qb", target: services.echo, udp: false }],
    });
    try {
      const published = await openAddress(daemon.url);
      const peer = await Peer.connect(published.port, "127.6.5.6");
      expect(await peer.echo("tcp only")).toBe(true);
      const after = await reachability(daemon.url);
      expect(after.status).toBe("PASS");
      expect(Object.keys(after.facts)).toEqual([
        "tunnelId",
        "publicAddress",
        "peer",
        "firstInboundAt",
        "lastInboundAt",
        "tunnels",
      ]);
      expect(after.summary).not.toMatch(/UDP/);
      peer.socket.destroy();
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("proves UDP apart: waiting after the TCP peer, then passing with the UDP peer and its address", async () => {
    requireRoot();
    // A downloader on this host would hold UDP on the public port itself, so the tunnel keeps off it;
    // one on another LAN machine (a namespace of our own) leaves the port to the tunnel's UDP side.
    const lan = await startLanEcho();
    const daemon = await startTestDaemon({
      dataDir: mkdtempSync(join(tmpdir(), "autostun-reach-")),
      stun: { udp: [stunBoth], tcp: [stunBoth] },
      keepalive: { target: services.keepalive, intervalSeconds: 10 },
      // The test daemon takes tunnels as written, without the schema's default `udp: true`.
      tunnels: [{ id: "qb", target: lan.target, udp: true }],
    });
    try {
      const published = await openAddress(daemon.url);
      const address = `${published.ip}:${published.port}`;
      const tcpPeer = await Peer.connect(published.port, "127.6.5.4");
      expect(await tcpPeer.echo("knock knock")).toBe(true);
      // The UDP side opens after TCP (it is placed at each TCP open), so ask until it sits on the port.
      const waiting = await until(
        () => reachability(daemon.url),
        (row) => (row.facts.udp as { state?: string } | undefined)?.state === "OPEN",
      );
      expect(waiting.status).toBe("PASS");
      expect(waiting.facts.udp).toMatchObject({
        outcome: "waiting",
        samePort: true,
        publicAddress: address,
        peer: null,
        warnAfterMinutes: 10,
      });
      const warnAt = Date.parse(String((waiting.facts.udp as { warnAt: string }).warnAt));
      expect(warnAt - Date.parse(String(waiting.facts.firstInboundAt))).toBeGreaterThanOrEqual(10 * 60_000);
      expect(waiting.summary).toMatch(/no UDP peer yet/);

      const udpPeer = createSocket("udp4");
      udpPeer.bind(0, "127.6.5.5");
      await once(udpPeer, "listening");
      const echoed = once(udpPeer, "message");
      udpPeer.send("utp hello", published.port, published.ip);
      expect(String(((await echoed) as [Buffer])[0])).toBe("utp hello");
      udpPeer.close();

      const proven = await reachability(daemon.url);
      expect(proven.status).toBe("PASS");
      expect(proven.facts).toMatchObject({ tunnelId: "qb", publicAddress: address });
      expect(proven.facts.peer).toMatch(/^127\.6\.5\.4:\d+$/);
      expect(proven.facts.udp).toMatchObject({ outcome: "proven", tunnelId: "qb", via: address });
      const udp = proven.facts.udp as { peer: string; firstInboundAt: string };
      expect(udp.peer).toMatch(/^127\.6\.5\.5:\d+$/);
      expect(Date.parse(udp.firstInboundAt)).not.toBeNaN();
      expect(proven.summary).toContain(udp.peer);
      tcpPeer.socket.destroy();
    } finally {
      await daemon.stop();
      await lan.close();
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

async function openAddress(url: string): Promise<{ ip: string; port: number }> {
  const open = await gqlUntil<{
    tunnels: { state: string; publicAddress: { ip: string; port: number } }[];
  }>(url, `{ tunnels { state publicAddress { ip port } } }`, (d) => d.tunnels[0]?.state === "OPEN");
  return open.tunnels[0]?.publicAddress as { ip: string; port: number };
}

async function until<T>(ask: () => Promise<T>, test: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (test(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A LAN machine of our own: a network namespace behind a veth pair, running a TCP and UDP echo on
 * port 7000. Torn down by `close`, and named after this process so parallel runs do not meet.
 */
async function startLanEcho(): Promise<{ target: string; close(): Promise<void> }> {
  const tag = process.pid % 100_000;
  const ns = `autostun-reach-${tag}`;
  const [outside, inside] = [`rchA${tag}`, `rchB${tag}`];
  const net = `10.${200 + (tag % 50)}.${tag % 250}`;
  const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
  ip("netns", "add", ns);
  try {
    ip("link", "add", outside, "type", "veth", "peer", "name", inside);
    ip("link", "set", inside, "netns", ns);
    ip("addr", "add", `${net}.1/30`, "dev", outside);
    ip("link", "set", outside, "up");
    ip("-n", ns, "addr", "add", `${net}.2/30`, "dev", inside);
    ip("-n", ns, "link", "set", inside, "up");
    ip("-n", ns, "link", "set", "lo", "up");
  } catch (error) {
    ip("netns", "del", ns);
    throw error;
  }
  const script = `
    const net = require("node:net"), dgram = require("node:dgram");
    net.createServer((s) => { s.on("error", () => {}); s.pipe(s); }).listen(7000, "${net}.2", () => {
      const u = dgram.createSocket("udp4");
      u.on("message", (m, r) => u.send(m, r.port, r.address));
      u.bind(7000, "${net}.2", () => process.stdout.write("ready\\n"));
    });`;
  const echo = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script], { stdio: "pipe" });
  let stderr = "";
  echo.stderr.on("data", (chunk: Buffer) => {
    stderr += String(chunk);
  });
  const started = await Promise.race([
    once(echo.stdout, "data").then(([chunk]) => String(chunk)),
    once(echo, "exit").then(() => ""),
  ]);
  if (!started.includes("ready")) {
    echo.kill();
    ip("netns", "del", ns);
    throw new Error(`the LAN echo in namespace ${ns} did not start: ${stderr || started}`);
  }
  return {
    target: `${net}.2:7000`,
    async close() {
      echo.kill();
      await once(echo, "close").catch(() => undefined);
      ip("netns", "del", ns);
    },
  };
}
