import { randomBytes } from "node:crypto";
import { parseIp } from "@autostun/ip";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import type { CommandRunner } from "@autostun/plugins-api";
import { expect, test } from "vitest";
import { BanList } from "../bans/ban-list.js";
import { NftablesForwarding } from "../nftables/nftables-forwarding.js";
import { AUTOSTUN_TABLE, NftablesTable } from "../nftables/nftables-table.js";
import { type Address, LabUdpRunner } from "../udp/testing/lab-udp.js";
import { autostunTable, routeLocalnet } from "./lab-services.js";

/**
 * `forward: nftables` for UDP behind a port-preserving NAT1 router: the LAN host holds a UDP mapping
 * with a real UdpMapping (keep-alives every second to the lab's STUN server), and the kernel DNATs
 * datagrams arriving on the mapping's port to a recording server on 127.0.0.1. A WAN peer's datagram
 * must reach the server with the peer's own address, and the answer must come back to the peer from the
 * public address; the mapping must keep getting its STUN answers meanwhile. Then the per-address flow
 * limit, a ban (nothing gets through, the live conntrack entries are gone when the ban call answers)
 * and an unban.
 */

const UDP_PORT = 40_999;
const TCP_PORT = 40_998;
const SERVER_PORT = 7_100;
const MAX_FLOWS = 3;

/** Answers every datagram with `peer=<ip>:<port> <datagram>` and prints the same line. */
const RECORDER = `
const socket = require("node:dgram").createSocket("udp4");
socket.on("message", (data, from) => {
  const line = "peer=" + from.address + ":" + from.port + " " + data.toString().trim();
  process.stdout.write(line + "\\n");
  socket.send(line, from.port, from.address);
});
socket.bind(${SERVER_PORT}, "127.0.0.1");
`;

/** Our code's commands, run inside the lab's LAN namespace. */
function lanRunner(lab: Lab): CommandRunner {
  return {
    async run(file, args, options) {
      const input = options?.input === undefined ? {} : { input: String(options.input) };
      const result = await lab.exec("lan", file, args, { timeoutMs: options?.timeoutMs, ...input });
      return { exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

/**
 * One datagram from `fromIp` to `to` through a connected socket (so only an answer from `to` itself is
 * read); the answer, or "" when none came within a second.
 */
async function knock(lab: Lab, fromIp: string, to: Address): Promise<{ sent: string; got: string }> {
  const sent = `knock-${randomBytes(4).toString("hex")}`;
  const socat = `socat -T 1 - UDP4:${to.ip}:${to.port},bind=${fromIp}`;
  const { stdout } = await lab.exec("wan", "sh", ["-c", `echo ${sent} | ${socat}`], { timeoutMs: 15_000 });
  return { sent, got: stdout.trim() };
}

async function udpFlowsFrom(lab: Lab, ip: string): Promise<number> {
  const args = ["-L", "-p", "udp", "-s", ip, "--orig-port-dst", String(UDP_PORT)];
  const { stdout } = await lab.exec("lan", "conntrack", args);
  return stdout.split("\n").filter((line) => line.startsWith("udp")).length;
}

test("forward: nftables DNATs a WAN peer's UDP on the held mapping's port to a LAN service, which sees the peer's address and answers through the mapping; flows limited per address, bans drop and forget, unban restores", {
  timeout: 180_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  const recorder = lab.spawn("lan", process.execPath, ["-e", RECORDER]);
  const recorded: string[] = [];
  recorder.stdout?.on("data", (chunk: Buffer) => recorded.push(...chunk.toString().trim().split("\n")));
  await lab.waitForListening("lan", { udp: [`127.0.0.1:${SERVER_PORT}`] });

  const mapping = LabUdpRunner.start(lab, {
    stunTcp: [],
    stunUdp: [...lab.stunServers.udp],
    tcpLocalPort: 0,
    udpOnlyPort: UDP_PORT,
  });
  const open = await mapping.waitFor((l) => l.kind === "status" && l.state === "OPEN", "OPEN");
  const publicAddress = open.publicAddress!;
  expect(publicAddress).toEqual({ ip: lab.publicIp, port: UDP_PORT });

  const runner = lanRunner(lab);
  const bans = new BanList();
  context.onTestFinished(() => bans.dispose());
  const table = new NftablesTable(runner, undefined, AUTOSTUN_TABLE, { checkIntervalMs: 0 });
  const nft = new NftablesForwarding({
    tunnelId: "lab",
    to: {
      target: {
        tunnelId: "lab",
        text: `127.0.0.1:${SERVER_PORT}`,
        host: "127.0.0.1",
        port: SERVER_PORT,
        ip: parseIp("127.0.0.1")!,
        scope: "loopback",
      },
    },
    table,
    runner,
    bans,
    platform: "linux",
    localAddresses: () => [lab.lanIp],
    udpLocalPort: UDP_PORT,
    udpMaxPerIp: MAX_FLOWS,
  });
  await nft.start(TCP_PORT);
  context.onTestFinished(() => nft.stop().catch(() => {}));
  const linesAtLoad = mapping.lines.length;

  const peer = await lab.addWanAddress();
  const first = await knock(lab, peer, publicAddress);
  // The recording server answered, not the mapping socket's echo: DNAT came before the socket. The
  // server saw the WAN peer itself, and its answer came from the public address (connected socket).
  expect(first.got).toMatch(new RegExp(`^peer=${peer.replaceAll(".", "\\.")}:\\d+ ${first.sent}$`));
  expect(recorded.at(-1)).toBe(first.got);

  // The mapping's STUN answers still reach its socket: a few keep-alives later it has not seen a loss.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(mapping.lines.slice(linesAtLoad).filter((l) => l.kind === "status")).toEqual([]);
  expect(mapping.status?.state).toBe("OPEN");

  // Each knock is a new flow (a new source port); the one over the limit gets nothing.
  for (let flow = 2; flow <= MAX_FLOWS; flow++)
    expect((await knock(lab, peer, publicAddress)).got).not.toBe("");
  expect(await udpFlowsFrom(lab, peer)).toBe(MAX_FLOWS);
  const seenBeforeLimit = recorded.length;
  expect((await knock(lab, peer, publicAddress)).got).toBe("");
  expect(recorded.length).toBe(seenBeforeLimit);
  const limited = await nft.stats();
  expect(limited.blocked).toBe(1);
  expect(limited.handled).toBe(MAX_FLOWS);
  expect(limited.activeUdp).toBe(MAX_FLOWS);
  expect(limited.bytesIn).toBeGreaterThan(0);
  expect(limited.bytesOut).toBeGreaterThan(0);
  // All of it UDP, and told apart as such (this tunnel carried no TCP peer).
  expect(limited).toMatchObject({
    handledUdp: MAX_FLOWS,
    blockedUdp: 1,
    bytesInUdp: limited.bytesIn,
    bytesOutUdp: limited.bytesOut,
  });

  // A ban: when the call answers, the peer's live flows are forgotten and its next datagram is dropped.
  const t0 = Date.now();
  await bans.ban({ cidr: peer, reason: "lab" });
  const banMs = Date.now() - t0;
  expect(await udpFlowsFrom(lab, peer)).toBe(0);
  console.log(`nftables UDP: ban answered after ${banMs} ms with the peer's ${MAX_FLOWS} UDP flows deleted`);
  expect((await nft.stats()).udpClosedByBan).toBe(MAX_FLOWS);
  const seenBeforeBan = recorded.length;
  expect((await knock(lab, peer, publicAddress)).got).toBe("");
  expect(recorded.length).toBe(seenBeforeBan);
  expect((await nft.stats()).blockedUdp).toBe(2);
  // Another WAN address is not affected.
  const other = await lab.addWanAddress();
  expect((await knock(lab, other, publicAddress)).got).toMatch(
    new RegExp(`^peer=${other.replaceAll(".", "\\.")}:`),
  );

  // Unban: the peer gets through again (its old flows no longer count against the limit).
  await bans.unban(peer);
  const back = await knock(lab, peer, publicAddress);
  expect(back.got).toMatch(new RegExp(`^peer=${peer.replaceAll(".", "\\.")}:\\d+ ${back.sent}$`));
  expect(mapping.status?.state).toBe("OPEN");

  await nft.stop();
  expect(await autostunTable(lab)).toBeUndefined();
  expect(await routeLocalnet(lab)).toBe("0");
});
