import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { LanDaemon } from "./testing/lan-daemon.js";

/**
 * The router lets IPv6 in (its firewall off), but the LAN host's own firewall (nftables, or ip6tables
 * with the legacy backend) drops new inbound IPv6.
 * `ipv6.reachability`, run through the daemon, must name that layer; its remedy, applied through the
 * GraphQL API as the console does, must open the downloader's port (TCP and UDP) and nothing else.
 */

const PEER_PORT = 6881;
const OTHER_PORT = 6882;
/** How each firewall is loaded, the layer the check must name and the rules its remedy must insert. */
const FIREWALLS = [
  {
    name: "nftables",
    load: ["nft", "-f", "-"],
    rules: `table inet hostfw {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    iifname "lo" accept
    meta l4proto ipv6-icmp accept
    meta nfproto ipv6 drop
  }
}
`,
    layer: "nftables inet hostfw input",
    commands: ["tcp", "udp"].map(
      (p) =>
        `nft insert rule inet hostfw input meta nfproto ipv6 ${p} dport ${PEER_PORT} accept comment "autostun"`,
    ),
  },
  {
    name: "ip6tables-legacy",
    load: ["ip6tables-legacy-restore"],
    rules: `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
COMMIT
`,
    layer: "ip6tables-legacy filter INPUT: chain INPUT policy DROP",
    commands: ["tcp", "udp"].map(
      (p) => `ip6tables-legacy -I INPUT -p ${p} --dport ${PEER_PORT} -m comment --comment autostun -j ACCEPT`,
    ),
  },
] as const;

interface Check {
  id: string;
  status: string;
  summary: string;
  facts: Record<string, unknown>;
  remedies: { id: string; commands: string[] | null }[];
}
const CHECK = "id status summary facts remedies { id commands }";

/** A TCP connection from the WAN to the LAN host's port: the greeting, or "" when nothing got in. */
async function knockTcp(lab: Lab, port: number): Promise<string> {
  const result = await lab.exec("wan", "socat", [
    "-T",
    "3",
    "-u",
    `TCP6:[${lab.ipv6?.lanIp}]:${port},connect-timeout=3`,
    "STDOUT",
  ]);
  return result.stdout.trim();
}

/** One datagram from the WAN to the LAN host's UDP port; what the LAN host echoed back, or "". */
async function knockUdp(lab: Lab, port: number): Promise<string> {
  const result = await lab.exec(
    "wan",
    "socat",
    ["-T", "3", "-t", "3", "-", `UDP6:[${lab.ipv6?.lanIp}]:${port}`],
    { input: "ping-over-udp\n" },
  );
  return result.stdout.trim();
}

describe.each(FIREWALLS)("the LAN host's own $name drops inbound IPv6", (firewall) => {
  test("FAIL naming it, and the remedy opens exactly the port", {
    timeout: 240_000,
  }, async (context) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } }, context);
    const v6 = lab.ipv6;
    if (!v6) throw new Error("the lab was built without IPv6");
    const [loader, ...loadArgs] = firewall.load;
    const loaded = await lab.exec("lan", loader, loadArgs, { input: firewall.rules });
    if (loaded.code !== 0) throw new Error(`${loader} refused the host firewall: ${loaded.stderr}`);
    // Downloader stand-ins: TCP and UDP on the peer port, and TCP on a port nobody asked to open.
    for (const port of [PEER_PORT, OTHER_PORT])
      lab.spawn("lan", "socat", [`TCP6-LISTEN:${port},ipv6only=1,fork,reuseaddr`, `SYSTEM:echo tcp-${port}`]);
    lab.spawn("lan", "socat", [`UDP6-RECVFROM:${PEER_PORT},ipv6only=1,fork`, "SYSTEM:echo udp-answer"]);
    await lab.waitForListening("lan", {
      tcp: [`[::]:${PEER_PORT}`, `[::]:${OTHER_PORT}`],
      udp: [`[::]:${PEER_PORT}`],
    });
    expect(await knockTcp(lab, PEER_PORT)).toBe("");

    const config = await lab.writeConfig({
      api: { listen: "127.0.0.1:7878" },
      checks: { runOnStart: false, intervalSeconds: 0 },
      plugins: { dirs: [], config: { "@autostun/check-ipv6-reachability": { port: PEER_PORT } } },
      stun: { udp: [...(lab.stunServers.udp6 ?? [])], tcp: [...lab.stunServers.tcp] },
    });
    const daemon = LanDaemon.start(lab, config);
    const url = await daemon.ready();
    const run = async () => {
      const answer = await daemon.gql<{ runChecks: Check[] }>(
        url,
        `mutation { runChecks(ids: ["ipv6.reachability"]) { ${CHECK} } }`,
      );
      const check = answer.data?.runChecks.find((c) => c.id === "ipv6.reachability");
      if (!check) throw new Error(`no ipv6.reachability result: ${JSON.stringify(answer)}\n${daemon.stderr}`);
      return check;
    };

    const blocked = await run();
    expect(blocked.status).toBe("FAIL");
    expect(blocked.summary).toContain("This host's own firewall drops unsolicited inbound IPv6 to port 6881");
    expect(blocked.summary).toContain(firewall.layer);
    const remedy = blocked.remedies.find((r) => r.id === "allow-ipv6-port");
    expect(remedy?.commands).toEqual(firewall.commands);

    const applied = await daemon.gql<{ applyRemedy: { ok: boolean; message: string } }>(
      url,
      `mutation { applyRemedy(checkId: "ipv6.reachability", remedyId: "allow-ipv6-port") { ok message } }`,
    );
    expect(applied.data?.applyRemedy, JSON.stringify(applied)).toMatchObject({ ok: true });

    // A WAN peer now gets in on exactly that port, over TCP and UDP; the other port stays dropped.
    expect(await knockTcp(lab, PEER_PORT)).toBe(`tcp-${PEER_PORT}`);
    expect(await knockUdp(lab, PEER_PORT)).toBe("udp-answer");
    expect(await knockTcp(lab, OTHER_PORT)).toBe("");

    // The port is open now; the host still drops unsolicited UDP to its ephemeral ports, so the STUN
    // measurement is not blamed on the router (its firewall is off here), and no FAIL remains.
    const after = await run();
    expect(after.status, after.summary).toBe("WARN");
    expect(after.summary).toContain("dropped by this host's own firewall");
    expect(after.facts.hostFirewall).toMatchObject({ tcp: { accepted: true }, udp: { accepted: true } });
    expect((after.facts.hostFirewall as { appliedRules: string[] }).appliedRules).toHaveLength(2);
    await daemon.stop();
  });
});
