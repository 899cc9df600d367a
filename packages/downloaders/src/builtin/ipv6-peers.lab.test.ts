import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import type { DownloaderAdapter, DownloaderPeer } from "@autostun/plugins-api";
import { Deluge } from "@ctrl/deluge";
import { QBittorrent } from "@ctrl/qbittorrent";
import { Transmission } from "@ctrl/transmission";
import { describe, expect, type TestContext, test } from "vitest";
import { aria2Setup } from "../testing/aria2-setup.js";
import {
  DELUGE_WEB_PASSWORD,
  delugedArgs,
  delugeWebArgs,
  writeDelugeConfig,
} from "../testing/deluge-config.js";
import { linkHostTo } from "../testing/host-link.js";
import { writeQbittorrentProfile } from "../testing/qbittorrent-profile.js";
import { SwarmPeer } from "../testing/swarm-peer.js";
import { type SeedTorrent, writeSeedTorrent } from "../testing/torrent-file.js";
import { writeTransmissionSettings } from "../testing/transmission-settings.js";
import { aria2Adapter } from "./aria2/aria2-adapter.js";
import { delugeAdapter } from "./deluge/deluge-adapter.js";
import { qbittorrentAdapter } from "./qbittorrent/qbittorrent-adapter.js";
import { transmissionAdapter } from "./transmission/transmission-adapter.js";

/**
 * The real clients from Debian in the LAN namespace of a netlab IPv6 lab (router firewall off), driven
 * through the adapters from this host over a veth of the test's own, and a libtorrent peer on the WAN
 * side that dials the client's global IPv6 address: what `listPeers` and the IPv6 listening calls
 * report is checked against what the kernel (`ss`) and the peer itself saw.
 */

const PASSWORD = "lab-ipv6-password";

interface Setup {
  lab: Lab;
  /** The client's global IPv6 address. */
  v6: string;
  /** Where its API is reached from this host. */
  apiIp: string;
  seed: SeedTorrent;
  /** An empty folder: the client holds the torrent without data, so a peer stays connected. */
  empty: string;
}

async function setUp(context: TestContext): Promise<Setup> {
  const lab = await createTestLab({ nat: "NAT1", stun: "none", ipv6: { firewall: false } }, context);
  const link = linkHostTo(lab.namespaces.lan);
  const dir = mkdtempSync(join(tmpdir(), "autostun-ipv6-peers-"));
  context.onTestFinished(() => {
    link.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const empty = join(dir, "empty");
  const seed = await writeSeedTorrent({ dir, bytes: 256 * 1024, random: true });
  const v6 = lab.ipv6?.lanIp;
  if (!v6) throw new Error("the lab was built without IPv6");
  return { lab, v6, apiIp: link.ip, seed, empty };
}

/** The local addresses of the TCP listeners on `port` in the LAN namespace, as `ss` shows them. */
async function listeners(lab: Lab, port: number): Promise<string[]> {
  const shown = await lab.exec("lan", "ss", ["-tlnH", `sport = :${port}`]);
  return shown.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[3] ?? "")
    .filter(Boolean);
}

/** Polls `read` until `done` holds; returns the last value either way, for the assertion to judge. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/** Whether a TCP connection from the WAN side to `[ip]:port` is accepted (refused or dropped: false). */
async function wanConnects(lab: Lab, ip: string, port: number): Promise<boolean> {
  const tried = await lab.exec("wan", "timeout", ["5", "bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`]);
  return tried.code === 0;
}

/** A WAN peer connects to the client over IPv6; resolves with the peer's address once it is in. */
async function peerFromWan(setup: Setup, port: number, context: TestContext): Promise<string> {
  const ip = await setup.lab.addWanAddress6();
  const peer = SwarmPeer.start({
    namespace: setup.lab.namespaces.wan,
    torrentFile: setup.seed.file,
    saveDir: mkdtempSync(join(tmpdir(), "autostun-swarm-peer-")),
    listen: `[${ip}]:47001`,
    connect: `[${setup.v6}]:${port}`,
    timeoutSeconds: 90,
  });
  context.onTestFinished(() => peer.stop());
  await peer.connectedTo(`[${setup.v6}]:${port}`, 30_000);
  return ip;
}

/** The adapter's peers once one from `ip` shows up (clients refresh their lists every second or so). */
function peersFrom(adapter: DownloaderAdapter, ip: string): Promise<DownloaderPeer[]> {
  const list = () => (adapter.listPeers as NonNullable<DownloaderAdapter["listPeers"]>)();
  return until(list, (peers) => peers.some((peer) => peer.address.startsWith(`[${ip}]:`)));
}

describe("the adapters' IPv6 view of real clients in a netlab IPv6 lab", () => {
  test("qBittorrent set to IPv4 only says so, listens on IPv6 once told, and lists the WAN peer that came in", async (context) => {
    const setup = await setUp(context);
    const { lab, v6, apiIp, seed } = setup;
    const profile = writeQbittorrentProfile({
      webUiPort: 8080,
      password: PASSWORD,
      peerPort: 6881,
      savePath: setup.empty,
    });
    lab.spawn("lan", "qbittorrent-nox", [`--profile=${profile}`]).stdout?.resume();
    await lab.waitForListening("lan", { tcp: [`${apiIp}:8080`] }, 30_000);
    const url = `http://${apiIp}:8080`;
    const library = new QBittorrent({ baseUrl: url, username: "admin", password: PASSWORD });
    await library.setPreferences({ current_interface_address: "0.0.0.0" });
    await library.addTorrent(new Uint8Array(seed.torrent), { savepath: setup.empty });
    const adapter = qbittorrentAdapter({ url, username: "admin", password: PASSWORD });
    context.onTestFinished(() => adapter.dispose?.());

    expect(await adapter.getIpv6Listening?.()).toEqual({
      listens: false,
      setting: "current_interface_address = 0.0.0.0",
      changeable: true,
    });
    const ipv4Only = await until(
      () => listeners(lab, 6881),
      (shown) => !shown.some((at) => at.startsWith("[")),
    );
    expect(ipv4Only.some((at) => at.startsWith("["))).toBe(false);
    expect(await wanConnects(lab, v6, 6881)).toBe(false);

    await adapter.listenOnIpv6?.();
    expect(await adapter.getIpv6Listening?.()).toMatchObject({ listens: true });
    const both = await until(
      () => listeners(lab, 6881),
      (shown) => shown.some((at) => at.startsWith(`[${v6}]`)),
    );
    expect(both.some((at) => at.startsWith(`[${v6}]`))).toBe(true);
    // Still on IPv4 too, and the interface choice untouched.
    expect(both.some((at) => /^\d+\.\d+\.\d+\.\d+/.test(at))).toBe(true);
    expect((await library.getPreferences()).current_network_interface).toBe("");

    const peerIp = await peerFromWan(setup, 6881, context);
    const peers = await peersFrom(adapter, peerIp);
    expect(peers.find((peer) => peer.address.startsWith(`[${peerIp}]:`))).toMatchObject({
      address: expect.stringMatching(/^\[[0-9a-f:]+\]:\d+$/),
      incoming: true,
      transport: "TCP",
      client: "autostun-lab-swarm-peer",
      infoHash: seed.infoHash,
    });
  }, 120_000);

  test("Transmission lists the WAN peer that came in over IPv6 and names the file setting it cannot change", async (context) => {
    const setup = await setUp(context);
    const { lab, apiIp, seed } = setup;
    const dir = writeTransmissionSettings({
      rpcPort: 9091,
      rpcAddress: "0.0.0.0",
      rpcWhitelist: false,
      password: PASSWORD,
      peerPort: 51413,
      downloadDir: setup.empty,
    });
    lab.spawn("lan", "transmission-daemon", ["-f", "-g", dir]).stdout?.resume();
    await lab.waitForListening("lan", { tcp: [`${apiIp}:9091`] }, 30_000);
    const url = `http://${apiIp}:9091/transmission/rpc`;
    const library = new Transmission({
      baseUrl: `http://${apiIp}:9091/`,
      username: "admin",
      password: PASSWORD,
    });
    await library.addTorrent(new Uint8Array(seed.torrent), { "download-dir": setup.empty });
    const adapter = transmissionAdapter({ url, username: "admin", password: PASSWORD });

    // Its default bind-address-ipv6 (::) has it on IPv6 already; the RPC does not say so.
    expect(
      await until(
        () => listeners(lab, 51413),
        (shown) => shown.includes("[::]:51413"),
      ),
    ).toContain("[::]:51413");
    expect(await adapter.getIpv6Listening?.()).toMatchObject({ listens: undefined, changeable: false });
    const refused = adapter.listenOnIpv6?.();
    await expect(refused).rejects.toMatchObject({ kind: "UNSUPPORTED" });
    await expect(refused).rejects.toThrow(/"bind-address-ipv6".*settings\.json/);

    const peerIp = await peerFromWan(setup, 51413, context);
    const peers = await peersFrom(adapter, peerIp);
    expect(peers.find((peer) => peer.address.startsWith(`[${peerIp}]:`))).toMatchObject({
      incoming: true,
      transport: "TCP",
      client: expect.stringMatching(/^libtorrent/),
      infoHash: seed.infoHash,
    });
  }, 120_000);

  test("Deluge 2.0 says it is on IPv4 only, cannot be changed over its API, and lists a peer once a user bound it to [::]", async (context) => {
    const setup = await setUp(context);
    const { lab, v6, apiIp, seed } = setup;
    const dir = writeDelugeConfig();
    lab.spawn("lan", "deluged", delugedArgs(dir, 58846)).stdout?.resume();
    await lab.waitForListening("lan", { tcp: ["127.0.0.1:58846"] }, 30_000);
    lab.spawn("lan", "deluge-web", delugeWebArgs(dir, 8112)).stdout?.resume();
    await lab.waitForListening("lan", { tcp: [`${apiIp}:8112`] }, 30_000);
    const url = `http://${apiIp}:8112`;
    const library = new Deluge({ baseUrl: `${url}/`, password: DELUGE_WEB_PASSWORD });
    await library.addTorrent(new Uint8Array(seed.torrent), { download_location: setup.empty });
    const adapter = delugeAdapter({ url, password: DELUGE_WEB_PASSWORD });
    context.onTestFinished(() => adapter.dispose?.());
    const port = await adapter.getListenPort();

    expect(await adapter.getIpv6Listening?.()).toEqual({
      listens: false,
      setting: 'listen_interface = "" (0.0.0.0)',
      changeable: false,
    });
    const shown = await until(
      () => listeners(lab, port),
      (at) => at.length > 0,
    );
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.some((at) => at.startsWith("["))).toBe(false);
    expect(await wanConnects(lab, v6, port)).toBe(false);
    const refused = adapter.listenOnIpv6?.();
    await expect(refused).rejects.toMatchObject({ kind: "UNSUPPORTED" });
    await expect(refused).rejects.toThrow(/listen_interface/);

    // What the message tells a user to do instead: an IPv6 address in brackets.
    await library.setConfig({ listen_interface: "[::]" } as never);
    expect(await adapter.getIpv6Listening?.()).toMatchObject({
      listens: true,
      setting: "listen_interface = [::]",
    });
    expect(
      await until(
        () => listeners(lab, port),
        (at) => at.some((a) => a.startsWith(`[${v6}]`)),
      ),
    ).toContainEqual(expect.stringMatching(new RegExp(`^\\[${v6}\\]`)));
    const peerIp = await peerFromWan(setup, port, context);
    const peers = await peersFrom(adapter, peerIp);
    expect(peers.find((peer) => peer.address.startsWith(`[${peerIp}]:`))).toEqual({
      address: expect.stringMatching(/^\[[0-9a-f:]+\]:\d+$/),
      incoming: undefined,
      client: "autostun-lab-swarm-peer",
      infoHash: seed.infoHash,
    });
  }, 120_000);

  test("aria2 listens on IPv6 as disable-ipv6 says, lists the WAN peer without a direction, and cannot change it at run time", async (context) => {
    const setup = await setUp(context);
    const { lab, apiIp, seed } = setup;
    const aria2 = aria2Setup({ rpcPort: 6800, rpcListenAll: true, secret: PASSWORD, torrent: seed.torrent });
    lab.spawn("lan", "aria2c", [...aria2.args, "--listen-port=6999"]).stdout?.resume();
    await lab.waitForListening("lan", { tcp: [`${apiIp}:6800`] }, 30_000);
    const adapter = aria2Adapter({ url: `http://${apiIp}:6800/jsonrpc`, password: PASSWORD });

    expect(await adapter.getIpv6Listening?.()).toEqual({
      listens: true,
      setting: "disable-ipv6 = false",
      changeable: false,
    });
    expect(
      await until(
        () => listeners(lab, 6999),
        (at) => at.includes("[::]:6999"),
      ),
    ).toContain("[::]:6999");
    const refused = adapter.listenOnIpv6?.();
    await expect(refused).rejects.toMatchObject({ kind: "UNSUPPORTED" });
    await expect(refused).rejects.toThrow(/disable-ipv6/);

    const peerIp = await peerFromWan(setup, 6999, context);
    const peers = await peersFrom(adapter, peerIp);
    expect(peers.find((peer) => peer.address.startsWith(`[${peerIp}]:`))).toEqual({
      address: expect.stringMatching(/^\[[0-9a-f:]+\]:\d+$/),
      incoming: undefined,
      transport: "TCP",
      infoHash: seed.infoHash,
    });
  }, 120_000);
});
