import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SwarmPeer, writeSeedTorrent } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, type TestContext, test } from "vitest";
import { labConfig, startKeepalive } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";
import { downloaderSettings, startQbittorrent } from "./testing/lan-downloaders.js";

/**
 * The IPv6 path end to end: `autostun serve` and a real qbittorrent-nox on the LAN host of a two-level
 * lab, whose home router (miniupnpd, IPv6 pinholes on) filters inbound IPv6 statefully. Over IPv6 a peer
 * dials the client's own global address and port: no tunnel, only that firewall in the way. Without a
 * pinhole the check names the router's firewall and a WAN peer's handshake gets no answer; with
 * `upnp.enabled` the daemon opens a pinhole, the handshake is answered, and the check passes on
 * qBittorrent's own word that an IPv6 peer came in. A ban refuses an IPv6 peer at the client's port as it
 * does at the tunnel's. SIGTERM takes the pinholes away again.
 */

const run = promisify(execFile);
const HANDSHAKE_PEER = fileURLToPath(
  new URL("../../../../packages/downloaders/src/testing/bt-handshake-peer.ts", import.meta.url),
);
const CLIENT_RPC = fileURLToPath(new URL("./testing/client-rpc.mjs", import.meta.url));
const PASSWORD = "lab-ipv6-pinhole";

type Ipv6Row = {
  address: string | null;
  port: number;
  pinhole: {
    state: string;
    protocol: string | null;
    tcp: boolean;
    udp: boolean;
    leaseEndsAt: string | null;
    error: string | null;
  } | null;
};
type TunnelRow = {
  id: string;
  state: string;
  downloader: { state: string; verifiedPort: number | null } | null;
  ipv6: Ipv6Row | null;
};
const TUNNELS =
  "{ tunnels { id state downloader { state verifiedPort } ipv6 { address port pinhole { state protocol tcp udp leaseEndsAt error } } } }";

type CheckRow = { id: string; status: string; summary: string; facts: Record<string, unknown> };

/** The torrent added to qBittorrent with an empty folder: it wants data, so a peer stays connected. */
async function addTorrent(lab: Lab, url: string, torrent: string, save: string): Promise<void> {
  const script = `
    import { readFileSync } from "node:fs";
    import { qbittorrentSession } from ${JSON.stringify(CLIENT_RPC)};
    const call = await qbittorrentSession(${JSON.stringify(url)}, "admin", ${JSON.stringify(PASSWORD)});
    const form = new FormData();
    form.append("torrents", new Blob([readFileSync(${JSON.stringify(torrent)})]), "lab.torrent");
    form.append("savepath", ${JSON.stringify(save)});
    await call("/api/v2/torrents/add", { method: "POST", body: form });`;
  const result = await lab.exec("lan", process.execPath, ["--input-type=module", "-e", script]);
  if (result.code !== 0) throw new Error(`qBittorrent would not take the torrent: ${result.stderr}`);
}

/** One BEP 3 handshake from a WAN IPv6 address to the client's own address; the answer's info-hash, if any. */
async function handshake(lab: Lab, from: string, to: { ip: string; port: number }, infoHash: string) {
  const request = { host: to.ip, port: to.port, infoHash, localAddress: from };
  const { stdout } = await run("ip", [
    "netns",
    "exec",
    lab.namespaces.wan,
    process.execPath,
    "--import",
    import.meta.resolve("tsx"),
    HANDSHAKE_PEER,
    JSON.stringify(request),
  ]);
  const outcome = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
    answer?: { infoHash: string; peerId: string };
    error?: string;
  };
  return outcome;
}

describe("IPv6 pinholes on a real home router, proved by a real client", () => {
  test("firewall on: FAIL and no handshake; upnp on: pinhole, handshake, PASS from qBittorrent's peers; SIGTERM closes it", async (context: TestContext) => {
    const lab = await createTestLab(
      { nat: "NAT1", stun: "ours", homeRouter: { upnp: "allow" }, ipv6: { firewall: true } },
      context,
    );
    const v6 = lab.ipv6?.lanIp;
    const router = lab.homeRouter;
    if (!v6 || !router) throw new Error("the lab was built without IPv6 or without its home router");
    const dir = mkdtempSync(join(tmpdir(), "autostun-ipv6-pinhole-"));
    context.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const seed = await writeSeedTorrent({ dir, bytes: 256 * 1024, random: true });
    const qb = await startQbittorrent(lab, 18_095, PASSWORD);
    await addTorrent(lab, qb.url, seed.file, mkdtempSync(join(dir, "empty-")));
    const keepalive = await startKeepalive(lab);

    const written = labConfig(keepalive, {
      upnp: { enabled: false },
      stun: { udp: [...lab.stunServers.udp, ...(lab.stunServers.udp6 ?? [])], tcp: [...lab.stunServers.tcp] },
      tunnels: [
        {
          id: "qb",
          localPort: 42_031,
          target: "127.0.0.1:6881",
          forward: "userspace",
          udp: true,
          downloader: downloaderSettings(qb),
        },
      ],
    });
    const file = await lab.writeConfig(written);
    const daemon = LanDaemon.start(lab, file);
    context.onTestFinished(async () => void (await daemon.stop()));
    const url = await daemon.ready();
    const runCheck = async () => {
      const answer = await daemon.gql<{ runChecks: CheckRow[] }>(
        url,
        'mutation { runChecks(ids: ["ipv6.reachability"]) { id status summary facts } }',
      );
      const row = answer.data?.runChecks.find((c) => c.id === "ipv6.reachability");
      if (!row) throw new Error(`no ipv6.reachability result: ${JSON.stringify(answer)}\n${daemon.stderr}`);
      return row;
    };

    // The push moved qBittorrent to the public port; over IPv6 peers dial that port on its own address.
    const pushed = await daemon.until<{ tunnels: TunnelRow[] }>(
      url,
      TUNNELS,
      (d) => d.tunnels[0]?.downloader?.state === "VERIFIED" && d.tunnels[0]?.ipv6 !== null,
      120_000,
    );
    const path = pushed.tunnels[0]?.ipv6 as Ipv6Row;
    expect(path).toMatchObject({ address: v6, pinhole: null });
    expect(path.port).toBe(pushed.tunnels[0]?.downloader?.verifiedPort);
    const client = { ip: v6, port: path.port };
    const peerIp = await lab.addWanAddress6();
    const infoHash = seed.infoHash;

    const blocked = await handshake(lab, peerIp, client, infoHash);
    expect(blocked.answer, "a handshake through the closed IPv6 firewall").toBeUndefined();
    const closed = await runCheck();
    expect(closed.status, closed.summary).toBe("FAIL");
    expect(closed.summary).toMatch(/router's IPv6 firewall/);
    expect(await router.pinholes()).toEqual([]);

    // upnp on by a reload: the daemon asks the home router for pinholes, TCP and UDP, to that port.
    writeFileSync(
      file,
      JSON.stringify({
        ...JSON.parse(readFileSync(file, "utf8").replace(/^#.*\n/, "")),
        upnp: { enabled: true, leaseSeconds: 600 },
      }),
    );
    const reloaded = await daemon.gql<{ reloadConfig: { status: string; applied: string[] } }>(
      url,
      "mutation { reloadConfig { status applied } }",
    );
    expect(reloaded.data?.reloadConfig, JSON.stringify(reloaded)).toMatchObject({ status: "APPLIED" });
    const opened = await daemon.until<{ tunnels: TunnelRow[] }>(
      url,
      TUNNELS,
      (d) => d.tunnels[0]?.ipv6?.pinhole?.state === "OPEN",
      60_000,
    );
    expect(opened.tunnels[0]?.ipv6).toMatchObject({
      address: v6,
      port: path.port,
      pinhole: { protocol: "UPNP", tcp: true, udp: true, error: null },
    });
    const rules = await router.pinholes();
    expect(rules.map((r) => `${r.transport} [${r.address}]:${r.port}`).sort()).toEqual([
      `TCP [${v6}]:${path.port}`,
      `UDP [${v6}]:${path.port}`,
    ]);

    const answered = await handshake(lab, peerIp, client, infoHash);
    const listening = (await lab.exec("lan", "ss", ["-tlnpH"])).stdout;
    expect(
      answered.answer,
      `${JSON.stringify(answered)} to ${JSON.stringify(client)}\n${listening}`,
    ).toMatchObject({
      infoHash,
      peerId: expect.stringMatching(/^-qB/),
    });

    // A peer that stays: qBittorrent lists it as incoming, and that is the check's proof.
    const swarmIp = await lab.addWanAddress6();
    const peer = SwarmPeer.start({
      namespace: lab.namespaces.wan,
      torrentFile: seed.file,
      saveDir: mkdtempSync(join(dir, "peer-")),
      listen: `[${swarmIp}]:47021`,
      connect: `[${v6}]:${path.port}`,
      timeoutSeconds: 120,
    });
    context.onTestFinished(() => peer.stop());
    await peer.connectedTo(`[${v6}]:${path.port}`, 30_000);
    let proved = await runCheck();
    for (let i = 0; i < 20 && proved.status !== "PASS"; i++) {
      await sleep(500);
      proved = await runCheck();
    }
    expect(proved.status, proved.summary).toBe("PASS");
    expect(proved.summary).toContain(`[${swarmIp}]:`);

    // A ban holds over IPv6 too: the banned peer is refused at the client's port, another one gets in.
    const banned = await daemon.gql<{ ban: { cidr: string } }>(
      url,
      `mutation { ban(cidr: "${peerIp}", reason: "lab") { cidr } }`,
    );
    expect(banned.data?.ban, JSON.stringify(banned)).toMatchObject({ cidr: expect.stringContaining(peerIp) });
    const refused = await handshake(lab, peerIp, client, infoHash);
    expect(refused.answer, "a banned IPv6 peer's handshake").toBeUndefined();
    const other = await handshake(lab, await lab.addWanAddress6(), client, infoHash);
    expect(other.answer, JSON.stringify(other)).toMatchObject({ infoHash });

    // SIGTERM, as a service manager stops it: the pinholes go with the daemon, and the firewall is shut.
    expect(await daemon.stop()).toBe(0);
    expect(await router.pinholes()).toEqual([]);
    const after = await handshake(lab, await lab.addWanAddress6(), client, infoHash);
    expect(after.answer, "a handshake after the daemon stopped").toBeUndefined();
  }, 300_000);
});
