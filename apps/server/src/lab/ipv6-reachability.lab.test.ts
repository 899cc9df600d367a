import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SwarmPeer, writeSeedTorrent } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import { LanDaemon } from "./testing/lan-daemon.js";
import { downloaderSettings, startQbittorrent } from "./testing/lan-downloaders.js";

const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));
const PEER_PORT = 6881;
const CLIENT_RPC = fileURLToPath(new URL("./testing/client-rpc.mjs", import.meta.url));

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

/**
 * qBittorrent's own API, from inside the LAN namespace (not our adapter, so the test does not grade our
 * code with our code): IPv4 only, and the torrent added with an empty folder so a peer stays connected.
 */
async function qbittorrentIpv4Only(lab: Lab, url: string, password: string, torrent: string, save: string) {
  const script = `
    import { readFileSync } from "node:fs";
    import { qbittorrentSession } from ${JSON.stringify(CLIENT_RPC)};
    const call = await qbittorrentSession(${JSON.stringify(url)}, "admin", ${JSON.stringify(password)});
    await call("/api/v2/app/setPreferences", { method: "POST",
      body: new URLSearchParams({ json: JSON.stringify({ current_interface_address: "0.0.0.0" }) }) });
    const form = new FormData();
    form.append("torrents", new Blob([readFileSync(${JSON.stringify(torrent)})]), "lab.torrent");
    form.append("savepath", ${JSON.stringify(save)});
    await call("/api/v2/torrents/add", { method: "POST", body: form });`;
  const result = await lab.exec("lan", process.execPath, ["--input-type=module", "-e", script]);
  if (result.code !== 0) throw new Error(`qBittorrent would not take the setup: ${result.stderr}`);
}

/** The local addresses `ss` shows for TCP listeners on `port` in the LAN namespace. */
async function tcpListeners(lab: Lab, port: number): Promise<string[]> {
  const shown = await lab.exec("lan", "ss", ["-tlnH", `sport = :${port}`]);
  return shown.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[3] ?? "")
    .filter(Boolean);
}

describe("ipv6.reachability with a real qBittorrent, through the daemon", () => {
  test("an IPv4-only client FAILs with listen-on-ipv6; once applied, a WAN peer's incoming IPv6 connection is the PASS", async (context: TestContext) => {
    const lab = await createTestLab({ nat: "NAT1", stun: "ours", ipv6: { firewall: false } }, context);
    const v6 = lab.ipv6?.lanIp;
    if (!v6) throw new Error("the lab was built without IPv6");
    const dir = mkdtempSync(join(tmpdir(), "autostun-ipv6-swarm-"));
    context.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const empty = mkdtempSync(join(dir, "empty-"));
    const seed = await writeSeedTorrent({ dir, bytes: 256 * 1024, random: true });
    const qb = await startQbittorrent(lab, 18_085, "lab-ipv6-swarm");
    await qbittorrentIpv4Only(lab, qb.url, qb.password, seed.file, empty);

    // The tunnel is there so the daemon knows the downloader; its only TCP STUN server is a closed port
    // of the lab's own WAN host, so it never opens and never moves qBittorrent off the port this check
    // is told about.
    const config = await lab.writeConfig({
      api: { listen: "127.0.0.1:7878" },
      checks: { runOnStart: false, intervalSeconds: 0 },
      plugins: { dirs: [], config: { "@autostun/check-ipv6-reachability": { port: PEER_PORT } } },
      stun: { udp: [...(lab.stunServers.udp6 ?? [])], tcp: [`${lab.wanServerIps.primary}:9`] },
      tunnels: [
        { id: "qb", localPort: 42_011, target: `127.0.0.1:${PEER_PORT}`, downloader: downloaderSettings(qb) },
      ],
    });
    const daemon = LanDaemon.start(lab, config);
    context.onTestFinished(async () => void (await daemon.stop()));
    const url = await daemon.ready();
    type Row = {
      id: string;
      status: string;
      summary: string;
      facts: Record<string, unknown>;
      remedies: { id: string }[];
    };
    const run = async () => {
      const answer = await daemon.gql<{ runChecks: Row[] }>(
        url,
        'mutation { runChecks(ids: ["ipv6.reachability"]) { id status summary facts remedies { id } } }',
      );
      const row = answer.data?.runChecks.find((c) => c.id === "ipv6.reachability");
      if (!row) throw new Error(`no ipv6.reachability result: ${JSON.stringify(answer)}\n${daemon.stderr}`);
      return row;
    };

    const ipv4Only = await run();
    expect(ipv4Only.status, ipv4Only.summary).toBe("FAIL");
    expect(ipv4Only.summary).toContain("current_interface_address = 0.0.0.0");
    expect(ipv4Only.remedies.map((r) => r.id)).toContain("listen-on-ipv6");
    expect(ipv4Only.facts.client).toMatchObject({ tunnelId: "qb", listens: false, changeable: true });

    const applied = await daemon.gql<{ applyRemedy: { ok: boolean; message: string } }>(
      url,
      'mutation { applyRemedy(checkId: "ipv6.reachability", remedyId: "listen-on-ipv6") { ok message } }',
    );
    expect(applied.data?.applyRemedy, JSON.stringify(applied)).toMatchObject({ ok: true });
    const deadline = Date.now() + 20_000;
    while (!(await tcpListeners(lab, PEER_PORT)).some((at) => at.startsWith("[")) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));

    const peerIp = await lab.addWanAddress6();
    const peer = SwarmPeer.start({
      namespace: lab.namespaces.wan,
      torrentFile: seed.file,
      saveDir: mkdtempSync(join(dir, "peer-")),
      listen: `[${peerIp}]:47011`,
      connect: `[${v6}]:${PEER_PORT}`,
      timeoutSeconds: 90,
    });
    context.onTestFinished(() => peer.stop());
    await peer.connectedTo(`[${v6}]:${PEER_PORT}`, 30_000);

    let proved = await run();
    for (let i = 0; i < 20 && proved.status !== "PASS"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      proved = await run();
    }
    expect(proved.status, proved.summary).toBe("PASS");
    expect(proved.summary).toContain(`[${peerIp}]:`);
    expect(proved.summary).toContain("connected in over IPv6");
    const [first] = proved.facts.incomingIpv6Peers as {
      address: string;
      firstSeenAt: string;
      tunnelId: string;
    }[];
    expect(first).toMatchObject({ tunnelId: "qb", address: expect.stringContaining(`[${peerIp}]:`) });
    expect(Date.parse(first?.firstSeenAt ?? "")).not.toBeNaN();
  }, 240_000);
});
