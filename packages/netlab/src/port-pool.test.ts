import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { STUN_CLIENT_BIN } from "./apt-packages.js";
import { CGNAT_1024_POOL, type Lab } from "./lab/types.js";
import { createTestLab } from "./testing.js";

/**
 * The carrier-grade NAT router (`portPool: CGNAT_1024_POOL` with NAT1): every TCP and UDP mapping lands
 * in the 1,024-port block, at random, and stays full-cone: one public port per inside endpoint whoever
 * it talks to, and any WAN host may send in through it.
 */

const PROBE = fileURLToPath(new URL("./fixtures/lan-probe.py", import.meta.url));
const UDP_PORT = 7_001;
const TCP_PORT = 7_002;
const COUNT = 16;
const LOW = CGNAT_1024_POOL.first;
const HIGH = CGNAT_1024_POOL.first + CGNAT_1024_POOL.size - 1;

interface Probe {
  udp: number[];
  udpSecondServer: number;
  tcp: number[];
  tcpSecondServer: number;
}

/** Both WAN addresses answer UDP and TCP with "ip port" of whoever asked. */
async function startEchoServers(lab: Lab): Promise<string[]> {
  const servers = [lab.wanServerIps.primary, lab.wanServerIps.alternate];
  const reply = "SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT";
  for (const ip of servers) {
    lab.spawn("wan", "socat", [`UDP4-RECVFROM:${UDP_PORT},bind=${ip},fork`, reply]).stdout?.resume();
    lab.spawn("wan", "socat", [`TCP4-LISTEN:${TCP_PORT},bind=${ip},reuseaddr,fork`, `${reply}; sleep 60`]);
  }
  await lab.waitForListening("wan", {
    udp: servers.map((ip) => `${ip}:${UDP_PORT}`),
    tcp: servers.map((ip) => `${ip}:${TCP_PORT}`),
  });
  return servers;
}

/** Lines the LAN probe prints, as they come. */
function lines(lab: Lab, servers: string[], udpLocal: number[], tcpLocal: number[]) {
  const plan = { servers, udpPort: UDP_PORT, tcpPort: TCP_PORT, udpLocal, tcpLocal };
  const child = lab.spawn("lan", "python3", [PROBE, JSON.stringify(plan)]);
  const seen: string[] = [];
  let stderr = "";
  let buffer = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    seen.push(...parts.filter(Boolean));
  });
  return async function next(match: (line: string) => boolean, what: string): Promise<string> {
    for (let waited = 0; waited < 20_000; waited += 50) {
      const found = seen.find(match);
      if (found) return found;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`LAN probe: no ${what}; it printed ${JSON.stringify(seen)}, stderr ${stderr}`);
  };
}

/** Ports that follow the previous one by 1 or 2: what a counting allocator produces. */
function countingSteps(ports: readonly number[]): number {
  return ports.slice(1).filter((p, i) => p - (ports[i] ?? 0) >= 1 && p - (ports[i] ?? 0) <= 2).length;
}

describe("carrier-grade NAT router: NAT1 with a random 1,024-port block", () => {
  test("stun-client (Debian's) still calls it full-cone with random ports", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPool: CGNAT_1024_POOL, stun: "coturn" }, context);
    expect(lab.options.portPreserving).toBe(false);
    const result = await lab.exec("lan", STUN_CLIENT_BIN, [lab.wanServerIps.primary], { timeoutMs: 15_000 });
    expect(result.stdout).toMatch(/Independent Mapping, Independent Filter, random port/);
  });

  test("TCP and UDP map into the block at random, endpoint-independently, and any WAN host gets in", async (context) => {
    const lab = await createTestLab({ nat: "NAT1", portPool: CGNAT_1024_POOL, stun: "none" }, context);
    const servers = await startEchoServers(lab);
    // Local ports inside the block, one after another: a router that kept or counted ports would show it.
    const udpLocal = Array.from({ length: COUNT }, (_, i) => LOW + 100 + i);
    const tcpLocal = Array.from({ length: COUNT }, (_, i) => LOW + 300 + i);
    const next = lines(lab, servers, udpLocal, tcpLocal);
    const probe = JSON.parse(await next((l) => l.startsWith("{"), "JSON line")) as Probe;

    for (const [proto, ports, local] of [
      ["udp", probe.udp, udpLocal],
      ["tcp", probe.tcp, tcpLocal],
    ] as const) {
      for (const port of ports) {
        expect(port, `${proto} public port`).toBeGreaterThanOrEqual(LOW);
        expect(port, `${proto} public port`).toBeLessThanOrEqual(HIGH);
      }
      expect(new Set(ports).size, `${proto}: one public port per inside endpoint`).toBe(COUNT);
      // Random: the inside port is not kept (a 1-in-1,024 coincidence at most), the ports do not count
      // up, and they spread over the block (16 uniform draws all within 256 ports: ~1e-8).
      expect(
        ports.filter((p, i) => p === local[i]).length,
        `${proto}: inside ports kept`,
      ).toBeLessThanOrEqual(1);
      expect(countingSteps(ports), `${proto}: counting steps in ${ports}`).toBeLessThanOrEqual(3);
      expect(Math.max(...ports) - Math.min(...ports), `${proto}: spread of ${ports}`).toBeGreaterThan(256);
    }
    // Endpoint-independent mapping: the same inside endpoint, another server, the same public port.
    expect(probe.udpSecondServer).toBe(probe.udp[0]);
    expect(probe.tcpSecondServer).toBe(probe.tcp[0]);

    // Endpoint-independent filtering: a WAN host the LAN never talked to reaches both mappings.
    const peer = await lab.addWanAddress();
    const sent = await lab.exec(
      "wan",
      "socat",
      ["-u", "-", `UDP4-SENDTO:${lab.publicIp}:${probe.udp[0]},bind=${peer}`],
      {
        input: "hello-from-wan\n",
      },
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(await next((l) => l.startsWith("udp-in"), "inbound UDP")).toBe(`udp-in ${peer} hello-from-wan`);
    const knock = await lab.exec("wan", "socat", [
      "-T",
      "3",
      "-u",
      `TCP4:${lab.publicIp}:${probe.tcp[0]},bind=${peer},connect-timeout=3`,
      "STDOUT",
    ]);
    expect(knock.stdout.trim()).toBe("lan-host-here");
    expect(await next((l) => l.startsWith("tcp-in"), "inbound TCP")).toBe(`tcp-in ${peer}`);
  });
});
