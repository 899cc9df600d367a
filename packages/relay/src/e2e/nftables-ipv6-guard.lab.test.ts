import type { ChildProcess } from "node:child_process";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import type { CommandRunner } from "@autostun/plugins-api";
import { expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "../nftables/nftables-forwarding.js";
import { AUTOSTUN_TABLE, NftablesTable } from "../nftables/nftables-table.js";
import { autostunTable } from "./lab-services.js";

/**
 * The IPv6 guard of the user-space paths, against a real kernel: a downloader on the LAN host reached
 * by WAN peers over IPv6 at its own address (the lab's router filters nothing). The guard alone (no
 * IPv4 rule at all) refuses banned peers and moves with the downloader's port; it hands over to a
 * relay-port redirect with no moment unguarded; the per-/64 limit holds a host that takes a fresh
 * address of its /64 for each connection, while a peer of another /64 gets in.
 */

const FIRST_PORT = 42_771;
const PUSHED_PORT = 42_772;
/** A /64 of the "internet" other than the WAN link's, routed by the router to the WAN namespace. */
const OTHER_PREFIX = "2a0b:8877:65::";

/** The downloader stand-in on each port: greets TCP peers with their address and stays connected; echoes UDP. */
const listener = (ip: string, ports: number[]) => `
const net = require("node:net");
const dgram = require("node:dgram");
for (const port of ${JSON.stringify(ports)}) {
  net.createServer((socket) => {
    socket.on("error", () => {});
    socket.write("hello " + socket.remoteAddress + "\\n");
  }).listen(port, ${JSON.stringify(ip)});
  const udp = dgram.createSocket("udp6");
  udp.on("message", (data, from) => udp.send("echo " + data, from.port, from.address));
  udp.bind(port, ${JSON.stringify(ip)});
}
`;

/** A WAN peer: `tcp` prints the greeting or the error; `hold` prints "open" and stays; `udp` the echo or "none". */
const PEER = `
const { mode, from, to, port } = JSON.parse(process.argv[1]);
if (mode === "udp") {
  const socket = require("node:dgram").createSocket("udp6");
  socket.bind(0, from, () => {
    socket.send("ping", port, to);
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

async function peer(lab: Lab, mode: "tcp" | "udp", from: string, port: number): Promise<string> {
  const request = JSON.stringify({ mode, from, to: lab.ipv6?.lanIp, port });
  const result = await lab.exec("wan", process.execPath, ["-e", PEER, request], { timeoutMs: 15_000 });
  return result.stdout.trim();
}

function holdOpen(lab: Lab, from: string, port: number): { child: ChildProcess; lines: string[] } {
  const request = JSON.stringify({ mode: "hold", from, to: lab.ipv6?.lanIp, port });
  const child = lab.spawn("wan", process.execPath, ["-e", PEER, request]);
  const lines: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
  return { child, lines };
}

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ipv6Lab(context: Parameters<typeof createTestLab>[1]) {
  const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } }, context);
  const v6 = lab.ipv6?.lanIp;
  if (!v6) throw new Error("the lab was built without IPv6");
  lab.spawn("lan", process.execPath, ["-e", listener(v6, [FIRST_PORT, PUSHED_PORT])]).stdout?.resume();
  await lab.waitForListening("lan", {
    tcp: [`[${v6}]:${FIRST_PORT}`, `[${v6}]:${PUSHED_PORT}`],
    udp: [`[${v6}]:${FIRST_PORT}`, `[${v6}]:${PUSHED_PORT}`],
  });
  return { lab, runner: lanRunner(lab) };
}

test("the IPv6-only guard refuses banned peers at the downloader's port, moves with it, and loads nothing for IPv4", {
  timeout: 120_000,
}, async (context) => {
  const { lab, runner } = await ipv6Lab(context);
  const bans = new BanList();
  context.onTestFinished(() => bans.dispose());
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const guard = new NftablesForwarding({
    tunnelId: "qb/ipv6",
    to: { downloaderPort: FIRST_PORT },
    table,
    runner,
    bans,
    platform: "linux",
  });
  const banned = await lab.addWanAddress6();
  const other = await lab.addWanAddress6();
  await bans.ban({ cidr: banned, reason: "lab" });
  await bans.ban({ cidr: "198.51.100.0/24", reason: "an IPv4 ban stays the forwarder's" });

  // Before any tunnel opened: the target's port, where the downloader listens until the first push.
  await guard.guardPort(FIRST_PORT);
  context.onTestFinished(() => guard.stop().catch(() => {}));
  expect(await peer(lab, "tcp", banned, FIRST_PORT)).toBe("error ECONNREFUSED");
  expect(await peer(lab, "udp", banned, FIRST_PORT)).toBe("none");
  expect(await peer(lab, "tcp", other, FIRST_PORT)).toBe(`hello ${other}`);
  expect(await peer(lab, "udp", other, FIRST_PORT)).toBe("echo ping");
  expect(await guard.blockedCounts()).toEqual({ tcp: 1, udp: 1 });

  // Nothing of IPv4 in the kernel: no IPv4 address, set or match, no NAT.
  const listed = await lab.exec("lan", "nft", ["list", "table", "inet", "autostun"]);
  expect(listed.stdout).toContain("ipv6_addr");
  expect(listed.stdout).not.toMatch(/ipv4_addr|ip saddr|nfproto ipv4|198\.51\.100|dnat|redirect/);

  // The downloader was pushed another port: the guard follows, and the old port is no longer its.
  await guard.guardPort(PUSHED_PORT);
  expect(await peer(lab, "tcp", banned, PUSHED_PORT)).toBe("error ECONNREFUSED");
  expect(await peer(lab, "tcp", banned, FIRST_PORT)).toBe(`hello ${banned}`);

  // A ban arriving now reaches the moved guard.
  await bans.ban({ cidr: other, reason: "lab, later" });
  expect(await peer(lab, "tcp", other, PUSHED_PORT)).toBe("error ECONNREFUSED");
  await bans.unban(banned);
  expect(await peer(lab, "tcp", banned, PUSHED_PORT)).toBe(`hello ${banned}`);

  await guard.stop();
  expect(await autostunTable(lab)).toBeUndefined();
});

test("from the start to the relay-port redirect, a banned IPv6 peer is never let in at the downloader's port", {
  timeout: 120_000,
}, async (context) => {
  const { lab, runner } = await ipv6Lab(context);
  const bans = new BanList();
  context.onTestFinished(() => bans.dispose());
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const banned = await lab.addWanAddress6();
  await bans.ban({ cidr: banned, reason: "lab" });
  const guard = new NftablesForwarding({
    tunnelId: "qb/ipv6",
    to: { downloaderPort: FIRST_PORT },
    table,
    runner,
    bans,
    platform: "linux",
  });
  const redirect = new NftablesForwarding({
    tunnelId: "qb",
    to: { relayPort: 45_556 },
    table,
    runner,
    bans,
    guardIpv6: true,
    platform: "linux",
  });
  context.onTestFinished(async () => {
    await guard.stop().catch(() => {});
    await redirect.stop().catch(() => {});
  });

  // A peer trying all along: not once let in while the guard hands over.
  let attempts = 0;
  const admitted: string[] = [];
  let trying = true;
  const loop = (async () => {
    while (trying) {
      const answer = await peer(lab, "tcp", banned, FIRST_PORT);
      attempts++;
      if (answer !== "error ECONNREFUSED") admitted.push(answer);
    }
  })();

  await guard.guardPort(FIRST_PORT);
  await until("a refused attempt under the guard", () => attempts >= 2, 20_000);
  // The tunnel opened on the relay-port path (P is the downloader's port): redirect first, then the guard goes.
  await redirect.start(FIRST_PORT);
  await guard.stop();
  const handedOver = attempts;
  await until("refused attempts under the redirect", () => attempts >= handedOver + 2, 20_000);
  trying = false;
  await loop;
  // The first try may have raced the guard's load; none after it got in.
  expect(admitted.slice(1)).toEqual([]);
  const chains = (await autostunTable(lab))?.chains ?? [];
  expect(chains.some((chain) => chain.includes("qb_ipv6"))).toBe(false);
  expect(await peer(lab, "tcp", banned, FIRST_PORT)).toBe("error ECONNREFUSED");
  expect((await redirect.blockedCounts()).tcp).toBeGreaterThanOrEqual(1);
});

test("the per-/64 limit holds a host that takes a new address of its /64 per connection; another /64 gets in; counted as blocked", {
  timeout: 120_000,
}, async (context) => {
  const { lab, runner } = await ipv6Lab(context);
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const guard = new NftablesForwarding({
    tunnelId: "qb/ipv6",
    to: { downloaderPort: FIRST_PORT },
    table,
    runner,
    platform: "linux",
    maxPerIp: 2,
    udpMaxPerIp: 1,
  });
  await guard.guardPort(FIRST_PORT);
  context.onTestFinished(() => guard.stop().catch(() => {}));

  // Three addresses of the WAN link's /64, one host's privacy addresses as far as the limit can tell.
  const [a, b, c] = [await lab.addWanAddress6(), await lab.addWanAddress6(), await lab.addWanAddress6()];
  // And one of another /64, routed to the WAN namespace by the router.
  const elsewhere = `${OTHER_PREFIX}20`;
  const wanAddress = (
    await lab.exec("wan", "ip", ["-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"])
  ).stdout;
  const wanHop = /inet6 (2a0b:8877:66::[0-9a-f]+)\//.exec(wanAddress)?.[1];
  if (!wanHop) throw new Error(`no global IPv6 address on the WAN namespace: ${wanAddress}`);
  const setUp = [
    await lab.exec("wan", "ip", ["-6", "addr", "add", `${elsewhere}/128`, "dev", "eth0", "nodad"]),
    await lab.exec("router", "ip", [
      "-6",
      "route",
      "add",
      `${OTHER_PREFIX}/64`,
      "via",
      wanHop,
      "dev",
      "wan0",
    ]),
  ];
  for (const result of setUp) if (result.code !== 0) throw new Error(result.stderr);

  const held = [holdOpen(lab, a, FIRST_PORT), holdOpen(lab, b, FIRST_PORT)];
  context.onTestFinished(() => {
    for (const h of held) h.child.kill();
  });
  await until("two held connections from the /64", () => held.every((h) => h.lines.includes("open")));
  // A third address of the same /64: over the limit, reset at once.
  expect(await peer(lab, "tcp", c, FIRST_PORT)).toBe("error ECONNREFUSED");
  expect(await peer(lab, "tcp", elsewhere, FIRST_PORT)).toBe(`hello ${elsewhere}`);

  // UDP, limit 1: the /64's first flow is echoed, a second one from another of its addresses dropped.
  expect(await peer(lab, "udp", a, FIRST_PORT)).toBe("echo ping");
  expect(await peer(lab, "udp", c, FIRST_PORT)).toBe("none");
  expect(await peer(lab, "udp", elsewhere, FIRST_PORT)).toBe("echo ping");

  expect(await guard.blockedCounts()).toEqual({ tcp: 1, udp: 1 });

  // One held connection ends: the /64 has room again.
  held[0]?.child.kill();
  // The kill closes it with a FIN; conntrack counts it until it leaves ESTABLISHED, so retry a while.
  let answer = "";
  for (let i = 0; i < 20 && answer !== `hello ${c}`; i++) {
    answer = await peer(lab, "tcp", c, FIRST_PORT);
    if (answer !== `hello ${c}`) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(answer).toBe(`hello ${c}`);
});
