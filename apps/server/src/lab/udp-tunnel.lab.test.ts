import { randomBytes } from "node:crypto";
import { CGNAT_1024_POOL, type Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { labConfig, startKeepalive } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";

/**
 * A tunnel's UDP side through `autostun serve` in the LAN namespace: a datagram echo service on
 * 127.0.0.1 and a WAN peer that sends to the tunnel's public address over UDP. The answer must come
 * back from the public address, on the same port TCP peers use, on both kinds of NAT1 router and with
 * both kinds of forwarding.
 */

const ECHO_PORT = 7_000;

type Tunnel = { id: string; state: string; publicAddress: { ip: string; port: number } | null };
const TUNNELS = `{ tunnels { id state publicAddress { ip port } } }`;
const TUNNELS_RECOVERED = `{ tunnels { id state recoveryCount publicAddress { ip port } udp { samePort } } }`;
type Recovered = Tunnel & { recoveryCount: number; udp: { samePort: boolean } | null };

/** One datagram from `fromIp` to `to`; the answer, or "" when none came within a second. */
async function knock(lab: Lab, fromIp: string, to: { ip: string; port: number }) {
  const sent = `knock-${randomBytes(4).toString("hex")}`;
  const socat = `socat -T 1 - UDP4:${to.ip}:${to.port},bind=${fromIp}`;
  const { stdout } = await lab.exec("wan", "sh", ["-c", `echo ${sent} | ${socat}`], { timeoutMs: 15_000 });
  return { sent, got: stdout.trim() };
}

/**
 * Knocks until an answer comes back (the UDP side opens after TCP, and a pair search may move both);
 * `to` is asked before each knock. Undefined after `ms`.
 */
async function answered(
  lab: Lab,
  fromIp: string,
  to: () => Promise<{ ip: string; port: number }>,
  ms = 90_000,
) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { sent, got } = await knock(lab, fromIp, await to());
    if (got.includes(sent)) return got;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

type Router = { portPreserving: boolean; portPool?: typeof CGNAT_1024_POOL };
const ROUTERS: Record<string, Router> = {
  "port-preserving": { portPreserving: true },
  remapping: { portPreserving: false },
  "1,024-port CGNAT": { portPreserving: false, portPool: CGNAT_1024_POOL },
};

const CASES = [
  { router: "port-preserving", portPreserving: true, forward: "userspace" },
  { router: "remapping", portPreserving: false, forward: "userspace" },
  { router: "port-preserving", portPreserving: true, forward: "nftables" },
  { router: "remapping", portPreserving: false, forward: "nftables" },
  // Picks every port at random from its pool: only a pair search that moves TCP can make them equal.
  { router: "1,024-port CGNAT", portPreserving: false, forward: "userspace" },
] as const;

describe.concurrent("a tunnel's UDP side through autostun serve", () => {
  for (const { router, portPreserving, forward } of CASES) {
    test(`${router} router, forward: ${forward}: a WAN peer's datagram to the TCP public address reaches the LAN service and the answer comes back`, {
      timeout: 180_000,
    }, async (context) => {
      const { portPool } = ROUTERS[router] as Router;
      const lab = await createTestLab(
        { nat: "NAT1", portPreserving, stun: "ours", ...(portPool ? { portPool } : {}) },
        context,
      );
      lab.spawn("lan", "socat", [`UDP4-LISTEN:${ECHO_PORT},bind=127.0.0.1,fork`, "EXEC:cat"]);
      const keepalive = await startKeepalive(lab);
      await lab.waitForListening("lan", { udp: [`127.0.0.1:${ECHO_PORT}`] });
      const config = await lab.writeConfig(
        labConfig(keepalive, {
          tunnels: [{ id: "lab", target: `127.0.0.1:${ECHO_PORT}`, forward }],
        }),
      );
      const daemon = LanDaemon.start(lab, config);
      const url = await daemon.ready();
      const open = await daemon.until<{ tunnels: Tunnel[] }>(
        url,
        TUNNELS,
        (d) => d.tunnels[0]?.state === "OPEN",
      );
      const at = open.tunnels[0]?.publicAddress as { ip: string; port: number };
      const peerIp = await lab.addWanAddress();
      // Where TCP peers are sent now: the UDP answer must come from there.
      const current = async () => {
        const answer = await daemon.gql<{ tunnels: Tunnel[] }>(url, TUNNELS);
        return answer.data?.tunnels[0]?.publicAddress ?? at;
      };
      const through = async (when: string) => {
        const got = await answered(lab, peerIp, current);
        const rules = got ? "" : (await lab.exec("lan", "nft", ["list", "ruleset"])).stdout;
        const to = await current();
        expect(
          got,
          `${when}: no UDP answer from ${to.ip}:${to.port}\n${rules}\n${daemon.stderr}`,
        ).toBeDefined();
      };
      await through("first open");

      // The gateway forgets every mapping: TCP and UDP come back by themselves, on one port again.
      const before = `${at.ip}:${at.port}`;
      // Counted from here: a pair search may already have moved TCP (and cost a recovery) before.
      const recoveries = (await daemon.gql<{ tunnels: Recovered[] }>(url, TUNNELS_RECOVERED)).data?.tunnels[0]
        ?.recoveryCount as number;
      await lab.resetMappings();
      const reopened = await daemon.until<{ tunnels: Recovered[] }>(
        url,
        TUNNELS_RECOVERED,
        (d) => {
          const t = d.tunnels[0] as Recovered;
          // A port-preserving router hands the same ports out again, which the keep-alives may not notice.
          return (
            t.state === "OPEN" && t.udp?.samePort === true && (portPreserving || t.recoveryCount > recoveries)
          );
        },
        90_000,
      );
      const after = reopened.tunnels[0]?.publicAddress as { ip: string; port: number };
      console.log(`${router}/${forward}: after resetMappings ${before} -> ${after.ip}:${after.port}`);
      await through("after resetMappings");

      // A new public IP: the same again, on the new address.
      const newIp = await lab.changePublicIp();
      const moved = await daemon.until<{ tunnels: Tunnel[] }>(
        url,
        TUNNELS,
        (d) => d.tunnels[0]?.state === "OPEN" && d.tunnels[0]?.publicAddress?.ip === newIp,
      );
      expect(moved.tunnels[0]?.publicAddress?.ip).toBe(newIp);
      await through("after changePublicIp");
      expect(await daemon.stop()).toBe(0);
    });
  }
});
