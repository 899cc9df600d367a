import { fileURLToPath } from "node:url";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));
const PEER_PORT = 6881;

interface CheckJson {
  id: string;
  status: string;
  summary: string;
  facts: Record<string, unknown>;
  guidance?: { title: string; steps: string[] };
}

/** `autostun doctor --check ipv6.reachability` on the LAN host, with the lab's IPv6 STUN servers listed. */
async function doctorInLan(
  lab: Lab,
  udp: readonly string[] = [...(lab.stunServers.udp6 ?? []), ...lab.stunServers.udp],
): Promise<CheckJson> {
  const config = await lab.writeConfig({
    stun: { udp: [...udp], tcp: [...lab.stunServers.tcp] },
    plugins: { config: { "@autostun/check-ipv6-reachability": { port: PEER_PORT } } },
  });
  const result = await lab.exec(
    lab.namespaces.lan,
    process.execPath,
    [BIN, "doctor", "--json", "--check", "ipv6.reachability", "--config", config],
    { timeoutMs: 60_000 },
  );
  const report = JSON.parse(result.stdout) as { checks: CheckJson[] };
  const check = report.checks.find((c) => c.id === "ipv6.reachability");
  if (!check)
    throw new Error(`doctor printed no ipv6.reachability result: ${result.stdout} ${result.stderr}`);
  return check;
}

describe("ipv6.reachability on the lab's LAN host", () => {
  test("fails naming the router's IPv6 firewall while it is on, passes once it is off, and warns with IPv4-only servers", async (context: TestContext) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: true } }, context);
    const ipv6 = lab.ipv6;
    if (!ipv6) throw new Error("the lab was built without IPv6");
    // A downloader stand-in listening on every IPv6 address of the peer port.
    lab.spawn("lan", "socat", [`TCP6-LISTEN:${PEER_PORT},ipv6only=1,fork,reuseaddr`, "EXEC:cat"]);
    await lab.waitForListening("lan", { tcp: [`[::]:${PEER_PORT}`] });

    const closed = await doctorInLan(lab);
    expect(closed.status).toBe("FAIL");
    expect(closed.summary).toMatch(/router's IPv6 firewall/);
    expect(closed.facts.router).toMatchObject({ from: ipv6.lanIp });
    expect((closed.facts.router as { filtering: string }).filtering).toMatch(
      /^ADDRESS(_AND_PORT)?_DEPENDENT$/,
    );
    expect((closed.facts.router as { answered: string[] }).answered.length).toBeGreaterThan(0);
    expect(closed.guidance?.steps.join("\n")).toContain(`${ipv6.lanIp} port ${PEER_PORT}`);

    await lab.setIpv6Firewall(false);
    const open = await doctorInLan(lab);
    expect(open.status).toBe("PASS");
    expect(open.facts.router).toMatchObject({ from: ipv6.lanIp, filtering: "ENDPOINT_INDEPENDENT" });
    expect(open.facts.listeners).toMatchObject({ port: PEER_PORT, tcpOnIpv6: true });

    // Servers that answer over IPv4 only measure nothing about IPv6: unknown, not a pass.
    const unmeasured = await doctorInLan(lab, lab.stunServers.udp);
    expect(unmeasured.status).toBe("WARN");
    expect(unmeasured.summary).toMatch(/none of the `stun.udp` servers answered over IPv6/);
    expect(unmeasured.facts.router).toMatchObject({ answered: [], filtering: "UNKNOWN" });
  }, 120_000);

  test("skips with one line in a lab without IPv6", async (context: TestContext) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours" }, context);
    const check = await doctorInLan(lab);
    expect(check.status).toBe("SKIP");
    expect(check.summary).toMatch(/no global IPv6 address/);
  }, 120_000);
});
