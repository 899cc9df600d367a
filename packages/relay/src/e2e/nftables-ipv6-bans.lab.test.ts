import type { ChildProcess } from "node:child_process";
import { parseIp } from "@autostun/ip";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import type { CommandRunner } from "@autostun/plugins-api";
import { expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "../nftables/nftables-forwarding.js";
import { AUTOSTUN_TABLE, NftablesTable } from "../nftables/nftables-table.js";
import { autostunTable } from "./lab-services.js";

/**
 * A downloader on the LAN host, reached over IPv6 at its own global address and port (the lab's router
 * routes the /64 and filters nothing): no tunnel in between, so only the tunnel's nftables rules on this
 * host stand in the way. A banned WAN IPv6 peer is refused there (TCP reset at the first SYN, UDP never
 * arrives) while another peer gets in; a range ban cuts a live connection and forgets the peer's flows
 * before the call answers; unban lets it in; a temporary ban ends in the kernel.
 */

const TUNNEL_PORT = 40_991;
const DOWNLOADER_PORT = 41_882;

/** The downloader stand-in: greets TCP peers with their address and stays connected; echoes UDP. */
const listener = (ip: string) => `
const net = require("node:net");
const dgram = require("node:dgram");
net.createServer((socket) => {
  socket.on("error", () => {});
  socket.write("hello " + socket.remoteAddress + "\\n");
}).listen(${DOWNLOADER_PORT}, ${JSON.stringify(ip)});
const udp = dgram.createSocket("udp6");
udp.on("message", (data, from) => {
  process.stdout.write("udp " + from.address + " " + data + "\\n");
  udp.send("echo " + data, from.port, from.address);
});
udp.bind(${DOWNLOADER_PORT}, ${JSON.stringify(ip)});
`;

/**
 * A WAN peer: `tcp` prints the greeting or the error code; `hold` prints "open" on the greeting, then
 * whatever ends the connection (it sends nothing, so only a reset from the host can); `udp` prints the
 * echo or "none" after a second.
 */
const PEER = `
const { mode, from, to, port } = JSON.parse(process.argv[1]);
if (mode === "udp") {
  const socket = require("node:dgram").createSocket("udp6");
  socket.bind(0, from, () => {
    socket.send("ping-" + from, port, to);
    socket.on("message", (data) => { console.log(String(data)); process.exit(0); });
    setTimeout(() => { console.log("none"); process.exit(0); }, 1000);
  });
} else {
  const socket = require("node:net").connect({ host: to, port, localAddress: from });
  socket.setTimeout(3000, () => { console.log("timeout"); process.exit(0); });
  socket.on("data", (data) => {
    if (mode === "tcp") { console.log(String(data).trim()); process.exit(0); }
    socket.setTimeout(0);
    console.log("open");
  });
  socket.on("error", (error) => { console.log("error " + error.code); process.exit(0); });
  socket.on("close", () => { console.log("closed"); process.exit(0); });
}
`;

function lanRunner(lab: Lab): CommandRunner {
  return {
    async run(file, args, options) {
      const input = options?.input === undefined ? {} : { input: String(options.input) };
      const result = await lab.exec("lan", file, args, { timeoutMs: options?.timeoutMs, ...input });
      return { exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

async function peer(lab: Lab, mode: "tcp" | "udp", from: string): Promise<string> {
  const request = JSON.stringify({ mode, from, to: lab.ipv6?.lanIp, port: DOWNLOADER_PORT });
  const result = await lab.exec("wan", process.execPath, ["-e", PEER, request], { timeoutMs: 15_000 });
  return result.stdout.trim();
}

/** A WAN peer holding one connection open; its lines as they come. */
function holdOpen(lab: Lab, from: string): { child: ChildProcess; lines: string[] } {
  const request = JSON.stringify({ mode: "hold", from, to: lab.ipv6?.lanIp, port: DOWNLOADER_PORT });
  const child = lab.spawn("wan", process.execPath, ["-e", PEER, request]);
  const lines: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
  return { child, lines };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** conntrack's entries from `ip` to the downloader's port, TCP and UDP. */
async function flowsFrom(lab: Lab, ip: string): Promise<string[]> {
  const flows: string[] = [];
  for (const protocol of ["tcp", "udp"]) {
    const args = ["-L", "-f", "ipv6", "-p", protocol, "-s", ip, "--orig-port-dst", String(DOWNLOADER_PORT)];
    const { stdout } = await lab.exec("lan", "conntrack", args);
    flows.push(...stdout.split("\n").filter((line) => line.startsWith(protocol)));
  }
  return flows;
}

test("banned IPv6 peers are refused at a local downloader's own address and port: reset or dropped, counted, live flows cut, unban and expiry let them in", {
  timeout: 180_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } }, context);
  const v6 = lab.ipv6?.lanIp;
  if (!v6) throw new Error("the lab was built without IPv6");
  const downloader = lab.spawn("lan", process.execPath, ["-e", listener(v6)]);
  const arrived: string[] = [];
  downloader.stdout?.on("data", (chunk: Buffer) => arrived.push(...chunk.toString().trim().split("\n")));
  await lab.waitForListening("lan", {
    tcp: [`[${v6}]:${DOWNLOADER_PORT}`],
    udp: [`[${v6}]:${DOWNLOADER_PORT}`],
  });

  const runner = lanRunner(lab);
  const bans = new BanList();
  context.onTestFinished(() => bans.dispose());
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const nft = new NftablesForwarding({
    tunnelId: "lab6",
    to: {
      target: {
        tunnelId: "lab6",
        text: `127.0.0.1:${DOWNLOADER_PORT}`,
        host: "127.0.0.1",
        port: DOWNLOADER_PORT,
        ip: parseIp("127.0.0.1")!,
        scope: "loopback",
      },
    },
    toArrivalAddress: true,
    table,
    runner,
    bans,
    guardIpv6: true,
    platform: "linux",
    localAddresses: () => [lab.lanIp],
  });
  await nft.start(TUNNEL_PORT);
  context.onTestFinished(() => nft.stop().catch(() => {}));

  const banned = await lab.addWanAddress6();
  const other = await lab.addWanAddress6();
  expect(await peer(lab, "tcp", banned)).toBe(`hello ${banned}`);
  expect(await peer(lab, "udp", banned)).toBe(`echo ping-${banned}`);

  // A host ban: the first SYN is answered with a reset, the datagram never reaches the downloader.
  await bans.ban({ cidr: banned, reason: "lab" });
  expect(await peer(lab, "tcp", banned)).toBe("error ECONNREFUSED");
  const seen = arrived.length;
  expect(await peer(lab, "udp", banned)).toBe("none");
  expect(arrived.slice(seen)).toEqual([]);
  expect(await peer(lab, "tcp", other)).toBe(`hello ${other}`);
  expect(await peer(lab, "udp", other)).toBe(`echo ping-${other}`);
  // Counted where IPv4's refusals are: this tunnel carries no UDP, so both land in `blocked`.
  expect((await nft.stats()).blocked).toBe(2);

  // A range ban over a peer with a live connection and a UDP flow: cut and forgotten when it answers.
  const live = holdOpen(lab, other);
  await until("the held connection is greeted", () => live.lines.includes("open"));
  expect(await peer(lab, "udp", other)).toBe(`echo ping-${other}`);
  expect((await flowsFrom(lab, other)).length).toBeGreaterThanOrEqual(2);
  const range = `${other.replace(/:[0-9a-f]+$/, ":")}/112`;
  await bans.ban({ cidr: range, reason: "lab range" });
  expect(await flowsFrom(lab, other)).toEqual([]);
  await until("the held connection is reset", () => live.lines.some((l) => /^error|^closed/.test(l)));
  expect(live.lines.at(-1)).toMatch(/^error ECONNRESET|^closed/);
  expect((await nft.stats()).closedByBan).toBe(1);
  expect(await peer(lab, "tcp", other)).toBe("error ECONNREFUSED");

  // A wider range over it (the kernel's interval set is rewritten, not overlapped), then the narrower
  // one lifted: the wider still holds.
  const wider = `${other.replace(/:[0-9a-f]+$/, ":")}/96`;
  await bans.ban({ cidr: wider, reason: "lab wider range" });
  await bans.unban(range);
  expect(await peer(lab, "tcp", other)).toBe("error ECONNREFUSED");

  // Unban the ranges: that peer is in again; the host ban inside them comes back into force on its own.
  await bans.unban(wider);
  expect(await peer(lab, "tcp", other)).toBe(`hello ${other}`);
  expect(await peer(lab, "tcp", banned)).toBe("error ECONNREFUSED");
  await bans.unban(banned);
  expect(await peer(lab, "tcp", banned)).toBe(`hello ${banned}`);

  // A temporary ban is held by the kernel with its timeout, and lets the peer in once it ran out.
  await bans.ban({ cidr: banned, reason: "lab", ttlSeconds: 3 });
  expect(await peer(lab, "tcp", banned)).toBe("error ECONNREFUSED");
  const set = await lab.exec("lan", "nft", ["list", "set", "inet", "autostun", "t_lab6_45f6ea_banh6"]);
  expect(set.stdout).toMatch(new RegExp(`${banned.replaceAll(":", "\\:")} timeout 3s expires`));
  // The list stops following time (as a daemon killed now would): only the kernel can end the ban.
  bans.dispose();
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  expect(await peer(lab, "tcp", banned)).toBe(`hello ${banned}`);

  await nft.stop();
  expect(await autostunTable(lab)).toBeUndefined();
});

test("on the relay-port path the downloader listens on P itself, and banned IPv6 peers are refused there while IPv4 bans stay with the relay", {
  timeout: 120_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } }, context);
  const v6 = lab.ipv6?.lanIp;
  if (!v6) throw new Error("the lab was built without IPv6");
  lab.spawn("lan", process.execPath, ["-e", listener(v6)]).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`[${v6}]:${DOWNLOADER_PORT}`] });

  const runner = lanRunner(lab);
  const bans = new BanList();
  context.onTestFinished(() => bans.dispose());
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const nft = new NftablesForwarding({
    tunnelId: "relay6",
    to: { relayPort: 45_555 },
    table,
    runner,
    bans,
    guardIpv6: true,
    platform: "linux",
  });
  // P is the downloader's port on this path: the gateway keeps it, and the downloader takes it.
  await nft.start(DOWNLOADER_PORT);
  context.onTestFinished(() => nft.stop().catch(() => {}));

  const banned = await lab.addWanAddress6();
  const other = await lab.addWanAddress6();
  const v4 = await lab.addWanAddress();
  await bans.ban({ cidr: banned, reason: "lab" });
  await bans.ban({ cidr: v4, reason: "an IPv4 ban, the relay's own business" });
  expect(await peer(lab, "tcp", banned)).toBe("error ECONNREFUSED");
  expect(await peer(lab, "udp", banned)).toBe("none");
  expect(await peer(lab, "tcp", other)).toBe(`hello ${other}`);
  // No UDP side on this redirect: the dropped datagram counts with the TCP refusal in `blocked`.
  expect(await nft.blockedCounts()).toEqual({ tcp: 2, udp: 0 });
  const elements = (await autostunTable(lab))?.elements ?? [];
  expect(elements.join(" ")).toContain(banned);
  expect(elements.join(" ")).not.toContain(`"${v4}"`);

  await bans.unban(banned);
  expect(await peer(lab, "tcp", banned)).toBe(`hello ${banned}`);
});
