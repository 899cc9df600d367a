import type { LabStunServer } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { LabUdpRunner, reachOverUdp } from "./testing/lab-udp.js";

/**
 * A UDP mapping behind a real NAT1 router (network namespaces, nftables), paired with the TCP public
 * port of the same host: the runner sits in the LAN namespace, peers knock from the WAN namespace, and
 * the router loses its mappings or its address while the mapping runs. Recovery times are printed
 * (lines starting with "udp recovery"), never asserted beyond "by itself".
 */

const routers: { portPreserving: boolean; stun: LabStunServer; tcpLocalPort: number }[] = [
  // 0: the runner chooses P free for both TCP and UDP.
  { portPreserving: true, stun: "ours", tcpLocalPort: 0 },
  { portPreserving: false, stun: "coturn", tcpLocalPort: 40_555 },
];

describe.concurrent("a UDP mapping on the TCP public port behind a NAT1 router", () => {
  test.for(routers)(
    "portPreserving $portPreserving, $stun STUN: UDP comes out on the TCP public port, peers get through, and again after lost mappings and a new WAN address",
    { timeout: 180_000 },
    async ({ portPreserving, stun, tcpLocalPort }, context) => {
      const lab = await createTestLab({ nat: "NAT1", portPreserving, stun }, context);
      const runner = LabUdpRunner.start(lab, {
        stunTcp: [...lab.stunServers.tcp],
        stunUdp: [...lab.stunServers.udp],
        tcpLocalPort,
      });
      const tcp = await runner.waitFor((l) => l.kind === "tcp", "the TCP public address");
      const tcpPublic = tcp.publicAddress!;
      expect(tcpPublic.ip).toBe(lab.publicIp);
      if (portPreserving) expect(tcpPublic.port).toBe(tcp.localPort);
      else expect(tcpPublic.port).not.toBe(tcp.localPort);

      const pair = await runner.waitFor((l) => l.kind === "pair", "the equal-port search");
      expect(pair.found, JSON.stringify(pair)).toBe(true);
      expect(pair.publicAddress).toEqual(tcpPublic);
      const open = await runner.waitFor((l) => l.kind === "status" && l.state === "OPEN", "OPEN");
      expect(open.publicAddress).toEqual(tcpPublic);

      const peer = await lab.addWanAddress();
      const first = await reachOverUdp(lab, runner, peer);
      expect(first.address).toEqual(tcpPublic);

      for (const [what, disturb] of [
        ["resetMappings", () => lab.resetMappings()],
        ["changePublicIp", () => lab.changePublicIp()],
      ] as const) {
        const from = runner.lines.length;
        const t0 = Date.now();
        await disturb();
        const reached = await reachOverUdp(lab, runner, peer);
        const recovering = runner.lines.slice(from).find((l) => l.state === "RECOVERING");
        console.log(
          `udp recovery ${stun} portPreserving=${portPreserving} after ${what}: ` +
            JSON.stringify({
              noticedMs: recovering ? recovering.at - t0 : null,
              peerThroughMs: reached.at - t0,
              to: reached.address,
              reason: recovering?.reason ?? "(no loss seen: the next keep-alive re-created the same mapping)",
            }),
        );
        expect(runner.status?.state).toBe("OPEN");
        expect(reached.address.ip).toBe(lab.publicIp);
      }
      // The new WAN address can only have been learned by a recovery the mapping ran by itself.
      const latest = runner.status!;
      expect(latest.recoveryCount as number).toBeGreaterThanOrEqual(1);
      expect(latest.publicAddress?.ip).toBe(lab.publicIp);
      // TCP from P again. A port-preserving router gives both protocols P again by themselves; a
      // remapping one gives TCP a new random port, and pairing again is the tunnel's job (README).
      const asked = runner.lines.length;
      runner.child.kill("SIGUSR2");
      const again = await runner.waitFor((l) => l.kind === "tcp-again", "the TCP side again", asked);
      console.log(
        `udp ${stun} portPreserving=${portPreserving}: TCP ${JSON.stringify(again.publicAddress)}, UDP ${JSON.stringify(latest.publicAddress)}`,
      );
      if (portPreserving) expect(again.publicAddress).toEqual(latest.publicAddress);
    },
  );
});

describe("a UDP mapping alone behind a remapping NAT1 router", () => {
  test("when the router forgets it, the keep-alive sees the new public port and the mapping moves there by itself", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    // Outside the router's pool (10000-15999), so the router cannot keep the port: every new mapping is remapped.
    const runner = LabUdpRunner.start(lab, {
      stunTcp: [],
      stunUdp: [...lab.stunServers.udp],
      tcpLocalPort: 0,
      udpOnlyPort: 40_777,
    });
    const open = await runner.waitFor((l) => l.kind === "status" && l.state === "OPEN", "OPEN");
    const before = open.publicAddress!;
    expect(before.port).not.toBe(40_777);
    const peer = await lab.addWanAddress();
    expect((await reachOverUdp(lab, runner, peer)).address).toEqual(before);

    const from = runner.lines.length;
    const t0 = Date.now();
    await lab.resetMappings();
    const recovering = await runner.waitFor((l) => l.state === "RECOVERING", "RECOVERING", from);
    expect(recovering.reason).toContain(`but the mapping was ${before.ip}:${before.port}`);
    const reached = await reachOverUdp(lab, runner, peer);
    console.log(
      `udp recovery ours remapped-alone after resetMappings: ${JSON.stringify({ noticedMs: recovering.at - t0, peerThroughMs: reached.at - t0, from: before, to: reached.address })}`,
    );
    expect(reached.address.port).not.toBe(before.port);
    expect(runner.status?.recoveryCount).toBe(1);
  }, 120_000);
});

describe("a pair that moves TCP too, behind a remapping NAT1 router", () => {
  test("with UDP port T taken on this host, TCP moves to a local port whose public port a held UDP mapping has", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPreserving: false, stun: "ours" }, context);
    const runner = LabUdpRunner.start(lab, {
      stunTcp: [...lab.stunServers.tcp],
      stunUdp: [...lab.stunServers.udp],
      tcpLocalPort: 40_555,
      occupyUdpT: true,
      movePair: true,
      budget: { maxSockets: 16 },
    });
    const tcp = await runner.waitFor((l) => l.kind === "tcp", "the TCP public address");
    const udpOnly = await runner.waitFor((l) => l.kind === "pair", "the UDP-only search");
    expect(udpOnly.found).toBe(false);
    expect((udpOnly.tried as { direct: { outcome: string }[] }).direct[0]?.outcome).toBe("busy on this host");
    const moved = await runner.waitFor((l) => l.kind === "pair-moved", "the pair search");
    expect(moved.found, JSON.stringify(moved)).toBe(true);
    expect(moved.publicAddress?.ip).toBe(lab.publicIp);
    expect(moved.tcpLocalPort).not.toBe(tcp.localPort);
    const open = await runner.waitFor((l) => l.kind === "status" && l.state === "OPEN", "OPEN");
    expect(open.publicAddress).toEqual(moved.publicAddress);
    // Both protocols on one public port: TCP from the new local port, and a WAN peer over UDP.
    const asked = runner.lines.length;
    runner.child.kill("SIGUSR2");
    const again = await runner.waitFor((l) => l.kind === "tcp-again", "the TCP side again", asked);
    expect(again.publicAddress).toEqual(moved.publicAddress);
    const reached = await reachOverUdp(lab, runner, await lab.addWanAddress());
    expect(reached.address).toEqual(moved.publicAddress);
  }, 120_000);
});
