import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { normalizeIp } from "@autostun/stun";
import { describe, expect, test } from "vitest";
import { createLab } from "./lab/create-lab.js";
import { isPidAlive } from "./lab/names.js";
import { listNamespaces } from "./lab/namespaces.js";
import { sweepStaleLabs } from "./lab/sweep.js";
import type { Lab, LabNamespaces } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * The IPv6 lab: the LAN host holds a global address from the router's /64, the router routes it without
 * NAT behind a stateful filter (or none), and our STUN server answers on two IPv6 WAN addresses. Traffic
 * is socat and @autostun/stun's client, between addresses of the test's own namespaces.
 */

const HOLD_LAB = fileURLToPath(new URL("./fixtures/hold-lab.ts", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/binding6-in-lan.ts", import.meta.url));
const GREETING = "lan-host-here";
const TCP_PORT = 7_001;
const UDP_PORT = 7_002;
const ECHO_PORT = 7_000;

/** Text a spawned program printed within `ms`, "" when nothing came. */
async function printedWithin(child: ChildProcess, ms: number): Promise<string> {
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const deadline = Date.now() + ms;
  while (!text.includes("\n") && Date.now() < deadline) await delay(25);
  return text.trim();
}

/** A TCP listener on the LAN host's global address that greets whoever gets in. */
async function listenTcpInLan(lab: Lab): Promise<void> {
  const ip = lab.ipv6!.lanIp;
  lab.spawn("lan", "socat", [
    `TCP6-LISTEN:${TCP_PORT},bind=[${ip}],reuseaddr,fork`,
    `SYSTEM:echo ${GREETING}`,
  ]);
  await lab.waitForListening("lan", { tcp: [`[${ip}]:${TCP_PORT}`] });
}

/** Connect from a WAN address to the LAN host; the greeting, or "" when nothing got through. */
async function knockTcp(lab: Lab, fromIp: string): Promise<string> {
  const to = `[${lab.ipv6!.lanIp}]`;
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:${to}:${TCP_PORT},bind=[${fromIp}],connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

/** Send one UDP datagram from a WAN address to the LAN host; what the LAN host received, or "". */
async function knockUdp(lab: Lab, fromIp: string, text: string): Promise<string> {
  const ip = lab.ipv6!.lanIp;
  const receiver = lab.spawn("lan", "socat", ["-u", `UDP6-RECV:${UDP_PORT},bind=[${ip}]`, "STDOUT"]);
  await lab.waitForListening("lan", { udp: [`[${ip}]:${UDP_PORT}`] });
  const received = printedWithin(receiver, 2_000);
  const sent = await lab.exec(
    "wan",
    "socat",
    ["-u", "STDIN", `UDP6-SENDTO:[${ip}]:${UDP_PORT},bind=[${fromIp}]`],
    {
      input: `${text}\n`,
    },
  );
  if (sent.code !== 0) throw new Error(`socat in the WAN could not send: ${sent.stderr}`);
  const got = await received;
  receiver.kill("SIGTERM");
  return got;
}

/** The LAN host connects out to a WAN echo service; the peer address the service saw (socat spells it out in full). */
async function connectOut(lab: Lab): Promise<string> {
  const server = lab.ipv6!.wanServerIps.primary;
  lab.spawn("wan", "socat", [
    `TCP6-LISTEN:${ECHO_PORT},bind=[${server}],reuseaddr,fork`,
    "SYSTEM:echo $SOCAT_PEERADDR",
  ]);
  await lab.waitForListening("wan", { tcp: [`[${server}]:${ECHO_PORT}`] });
  const result = await lab.exec("lan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:[${server}]:${ECHO_PORT},connect-timeout=3`,
    "STDOUT",
  ]);
  return normalizeIp(result.stdout.trim().replace(/^\[|\]$/g, ""));
}

interface BindingReport {
  local: { address: string; port: number };
  bindings: {
    server: { address: string; port: number };
    from: { address: string; port: number };
    mapped?: { family: string; address: string; port: number };
    other?: { address: string; port: number };
  }[];
  changed: "silent" | { address: string; port: number };
}

async function bindings(lab: Lab): Promise<BindingReport> {
  const result = await lab.exec(
    "lan",
    process.execPath,
    ["--import", import.meta.resolve("tsx"), FIXTURE, JSON.stringify(lab.stunServers.udp6)],
    { timeoutMs: 20_000 },
  );
  if (result.code !== 0)
    throw new Error(`the Binding fixture failed (exit ${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as BindingReport;
}

async function globalAddresses(lab: Lab): Promise<string> {
  return (await lab.exec("lan", "ip", ["-6", "-o", "addr", "show", "scope", "global"])).stdout;
}

describe.concurrent("the IPv6 lab", () => {
  test("firewall on: the LAN host has a global address and gets out, new inbound TCP and UDP are dropped", async (context) => {
    const lab = await createTestLab({ nat: "NAT3", stun: "none", ipv6: { firewall: true } }, context);
    const v6 = lab.ipv6!;
    expect(v6.firewall).toBe(true);
    expect(await globalAddresses(lab)).toContain(`inet6 ${v6.lanIp}/64`);
    expect((await lab.exec("lan", "ip", ["-6", "route", "show", "default"])).stdout).toContain(
      `via ${v6.lanGatewayIp}`,
    );
    const rules = await lab.exec("router", "nft", ["list", "table", "ip6", "lab6"]);
    expect(rules.stdout).toContain("ct state established,related accept");

    // Outbound works and its reply comes back; no NAT, so the WAN sees the host's own address.
    expect(await connectOut(lab)).toBe(v6.lanIp);

    await listenTcpInLan(lab);
    const peer = await lab.addWanAddress6();
    expect(peer).not.toBe(v6.wanServerIps.primary);
    expect(await knockTcp(lab, peer)).toBe("");
    expect(await knockUdp(lab, peer, "unsolicited")).toBe("");

    // The same peer gets in once the modem's firewall is switched off, so the drops above were the firewall's.
    await lab.setIpv6Firewall(false);
    expect(lab.ipv6?.firewall).toBe(false);
    expect(await knockTcp(lab, peer)).toBe(GREETING);
    expect(await knockUdp(lab, peer, "now-open")).toBe("now-open");
  });

  test("firewall off: a WAN peer's new inbound TCP and UDP reach the LAN host", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none", ipv6: { firewall: false } }, context);
    await listenTcpInLan(lab);
    const peer = await lab.addWanAddress6();
    expect(await knockTcp(lab, peer)).toBe(GREETING);
    expect(await knockUdp(lab, peer, "hello-v6")).toBe("hello-v6");

    await lab.setIpv6Firewall(true);
    expect(await knockTcp(lab, peer)).toBe("");
  });

  test("our STUN server answers a Binding on both IPv6 addresses with the host's own address", async (context) => {
    const lab = await createTestLab({ nat: "NAT3", stun: "ours", ipv6: { firewall: true } }, context);
    const v6 = lab.ipv6!;
    const port = lab.stunPorts.port;
    expect(lab.stunServers.udp6).toEqual([
      `[${v6.wanServerIps.primary}]:${port}`,
      `[${v6.wanServerIps.alternate}]:${port}`,
    ]);
    const report = await bindings(lab);
    expect(report.bindings.map((b) => b.from.address)).toEqual([
      v6.wanServerIps.primary,
      v6.wanServerIps.alternate,
    ]);
    for (const b of report.bindings) {
      // Routed, not translated: the reflexive address is the host's own, on the socket's own port.
      expect(b.mapped).toEqual({ family: "IPv6", address: v6.lanIp, port: report.local.port });
    }
    expect(report.bindings[0]?.other).toMatchObject({
      address: v6.wanServerIps.alternate,
      port: lab.stunPorts.altPort,
    });
    // A reply from the other address and port is new traffic to a stateful firewall: dropped.
    expect(report.changed).toBe("silent");

    await lab.setIpv6Firewall(false);
    expect((await bindings(lab)).changed).toEqual({
      family: "IPv6",
      address: v6.wanServerIps.alternate,
      port: lab.stunPorts.altPort,
    });
  });

  test("without the ipv6 option the LAN host has no global IPv6 address and no IPv6 route out", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "none" }, context);
    expect(lab.ipv6).toBeUndefined();
    expect(await globalAddresses(lab)).toBe("");
    expect((await lab.exec("lan", "ip", ["-6", "route", "show", "default"])).stdout).toBe("");
    expect(lab.stunServers).toEqual({ udp: [], tcp: [] });
    await expect(lab.addWanAddress6()).rejects.toThrow(
      /addWanAddress6 needs IPv6; lab .* without the ipv6 option/,
    );
    await expect(lab.setIpv6Firewall(false)).rejects.toThrow(/setIpv6Firewall needs IPv6/);
  });

  test("teardown removes the IPv6 lab's namespaces and both STUN servers", async () => {
    const lab = await createLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: true } });
    const pids = (await lab.exec("wan", "ip", ["netns", "pids", lab.namespaces.wan])).stdout
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    // The IPv4 server and the IPv6 one (each a node process).
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await lab.teardown();
    const left = new Set(await listNamespaces());
    expect(Object.values(lab.namespaces).filter((ns) => left.has(ns))).toEqual([]);
    expect(pids.filter(isPidAlive)).toEqual([]);
  });

  test("the sweeper removes a crashed run's IPv6 lab, both STUN servers included", async () => {
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), HOLD_LAB, "NAT1", "ours", "wait", "firewall"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      child.once("exit", (code) => reject(new Error(`hold-lab exited ${code} before reporting: ${err}`)));
    });
    const report = JSON.parse(line) as { namespaces: LabNamespaces; serverPids: string };
    const pids = report.serverPids.split(/\s+/).filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    child.kill("SIGKILL");
    await once(child, "exit");
    await sweepStaleLabs();
    const left = new Set(await listNamespaces());
    expect(Object.values(report.namespaces).filter((ns) => left.has(ns))).toEqual([]);
    expect(pids.filter(isPidAlive)).toEqual([]);
  });
});
