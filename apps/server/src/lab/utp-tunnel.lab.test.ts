import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSeedTorrent } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { requireRoot } from "../testing/require-root.js";
import { labConfig, startKeepalive } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";
import {
  downloaderSettings,
  seedWith,
  startQbittorrent,
  startTransmission,
} from "./testing/lan-downloaders.js";
import { downloadOverUtp } from "./testing/utp-peer.js";

/**
 * Issue 17 with real clients: a tunnel of `autostun serve` in the LAN namespace pushes its port to
 * qbittorrent-nox or transmission-daemon seeding a torrent there, and a libtorrent peer in WAN with TCP
 * switched off downloads it through the tunnel's public address. Only uTP can carry it, so a finished
 * download proves the UDP side holds the TCP public port and forwards to the client.
 */

requireRoot("it builds network namespaces and runs BitTorrent clients inside them");

const MiB = 1024 * 1024;

type Address = { ip: string; port: number };
type Row = {
  id: string;
  state: string;
  path: string;
  publicAddress: Address | null;
  downloader: { state: string; verifiedPort: number | null; error: string | null } | null;
  udp: {
    state: string;
    samePort: boolean;
    publicAddress: Address | null;
    reason: string;
    match: string | null;
  } | null;
};
const TUNNELS = `{ tunnels { id state path publicAddress { ip port }
  downloader { state verifiedPort error } udp { state samePort publicAddress { ip port } reason match } } }`;
const CONNECTIONS = `{ connections(tunnelId: "utp") { edges { node { protocol remoteAddress proxyAddress } } } }`;

/** Open on one port for both protocols, and the client told that port. */
function ready(row: Row | undefined): boolean {
  const port = row?.publicAddress?.port;
  return (
    row?.state === "OPEN" &&
    row.udp?.samePort === true &&
    row.udp.publicAddress?.port === port &&
    row.downloader?.state === "VERIFIED" &&
    row.downloader.verifiedPort === port
  );
}

const CASES = [
  { client: "qbittorrent", router: "port-preserving", forward: "userspace", extras: true },
  { client: "qbittorrent", router: "remapping", forward: "nftables", extras: false },
  { client: "transmission", router: "remapping", forward: "userspace", extras: false },
  { client: "transmission", router: "port-preserving", forward: "nftables", extras: true },
  { client: "qbittorrent", router: "remapping", forward: "userspace", extras: true },
  { client: "qbittorrent", router: "port-preserving", forward: "nftables", extras: false },
  { client: "transmission", router: "port-preserving", forward: "userspace", extras: false },
  { client: "transmission", router: "remapping", forward: "nftables", extras: false },
] as const;

describe.concurrent("uTP through a tunnel of autostun serve, with real clients", () => {
  for (const { client: kind, router, forward, extras } of CASES) {
    const more = extras
      ? "; again after lost mappings and a new public IP; a ban stops it and unban restores it"
      : "";
    test(`${kind}, ${router} router, forward: ${forward}: a TCP-less libtorrent peer downloads through the public address${more}`, {
      timeout: 420_000,
    }, async (context) => {
      const lab = await createTestLab(
        { nat: "NAT1", portPreserving: router === "port-preserving", stun: "ours" },
        context,
      );
      const dataDir = mkdtempSync(join(tmpdir(), "autostun-utp-tunnel-"));
      context.onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
      const seed = await writeSeedTorrent({
        dir: dataDir,
        bytes: 2 * MiB,
        pieceLength: 256 * 1024,
        random: true,
      });
      const [keepalive, client] = await Promise.all([
        startKeepalive(lab),
        kind === "qbittorrent"
          ? startQbittorrent(lab, 18_281, "lab-qbt-utp")
          : startTransmission(lab, 19_293, "lab-tr-utp"),
      ]);
      await seedWith(lab, client, seed.file, dataDir, 6881);
      const config = await lab.writeConfig(
        labConfig(
          keepalive,
          {
            tunnels: [
              { id: "utp", target: "127.0.0.1:6881", forward, downloader: downloaderSettings(client) },
            ],
          },
          3,
        ),
      );
      const daemon = LanDaemon.start(lab, config);
      const url = await daemon.ready();
      const rowNow = async () => (await daemon.gql<{ tunnels: Row[] }>(url, TUNNELS)).data?.tunnels[0];
      const settled = async (extra: (row: Row) => boolean = () => true) =>
        (
          await daemon.until<{ tunnels: Row[] }>(
            url,
            TUNNELS,
            (d) => ready(d.tunnels[0]) && extra(d.tunnels[0] as Row),
            120_000,
          )
        ).tunnels[0] as Row;

      const download = async (lab: Lab, to: Address, when: string) => {
        const peerIp = await lab.addWanAddress();
        const got = await downloadOverUtp(lab.namespaces.wan, seed, peerIp, `${to.ip}:${to.port}`, 60).catch(
          async (error: Error) => {
            const look = async (file: string, args: string[], where: "lan" | "router" = "lan") =>
              `${where}$ ${file} ${args.join(" ")}\n${(await lab.exec(where, file, args)).stdout}`;
            const kernel = `${await look("nft", ["list", "ruleset"])}\n${await look("ss", ["-uanp"])}\n${await look("ss", ["-tlnp"])}\n${await look("conntrack", ["-L", "-p", "udp"])}\n${await look("nft", ["list", "table", "ip", "lab"], "router")}\n${await look("conntrack", ["-L", "-p", "udp"], "router")}`;
            throw new Error(
              `${when}: ${error.message}\ntunnel: ${JSON.stringify(await rowNow())}\n${kernel}\n${daemon.stderr}`,
            );
          },
        );
        expect(got.intact, when).toBe(true);
        expect(got.utpOnly, when).toBe(true);
        return peerIp;
      };

      const first = await settled();
      const at = first.publicAddress as Address;
      console.log(
        `${kind}/${router}/${forward}: path ${first.path}, ${at.ip}:${at.port}, UDP ${first.udp?.match}`,
      );
      const peerIp = await download(lab, at, "first open");
      if (forward === "userspace") {
        // The table lists the uTP peer with its WAN address, as UDP; the address the client saw resolves to it.
        type Node = { protocol: string; remoteAddress: string; proxyAddress: string | null };
        const listed = await daemon.until<{ connections: { edges: { node: Node }[] } }>(
          url,
          CONNECTIONS,
          (d) =>
            d.connections.edges.some(
              (e) => e.node.remoteAddress === `${peerIp}:47000` && e.node.proxyAddress,
            ),
          20_000,
        );
        const node = listed.connections.edges.find((e) => e.node.remoteAddress === `${peerIp}:47000`)?.node;
        expect(node?.protocol).toBe("UDP");
        expect(node?.proxyAddress).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
        const resolved = await daemon.gql<{
          resolvePeer: { remoteAddress: string; protocol: string } | null;
        }>(url, `query ($a: String!) { resolvePeer(address: $a) { remoteAddress protocol } }`, {
          a: node?.proxyAddress,
        });
        expect(resolved.data?.resolvePeer).toEqual({ remoteAddress: `${peerIp}:47000`, protocol: "UDP" });
      }
      if (!extras) {
        expect(await daemon.stop()).toBe(0);
        return;
      }

      // A banned peer's uTP gets nothing; the unban lets it in again.
      const banned = await lab.addWanAddress();
      const ban = await daemon.gql(url, `mutation ($c: String!) { ban(cidr: $c, reason: "lab") { cidr } }`, {
        c: `${banned}/32`,
      });
      expect(ban.errors).toBeUndefined();
      const refused = await downloadOverUtp(lab.namespaces.wan, seed, banned, `${at.ip}:${at.port}`, 15).then(
        () => "downloaded",
        () => "refused",
      );
      expect(refused, "a banned peer downloaded over uTP").toBe("refused");
      const unban = await daemon.gql(url, `mutation ($c: String!) { unban(cidr: $c) }`, {
        c: `${banned}/32`,
      });
      expect(unban.data).toEqual({ unban: true });
      const back = await downloadOverUtp(lab.namespaces.wan, seed, banned, `${at.ip}:${at.port}`, 60);
      expect(back.intact, "after the unban").toBe(true);

      // The gateway forgets every mapping, then the public IP moves: both protocols come back on one port.
      await lab.resetMappings();
      // Whether a port moves depends on the router (one that keeps inside ports hands the same ones out
      // again): give both keep-alives time to notice a loss, then wait for one port for both again.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      const reset = await settled();
      await download(lab, reset.publicAddress as Address, "after resetMappings");
      const newIp = await lab.changePublicIp();
      const moved = await settled((row) => row.publicAddress?.ip === newIp);
      await download(lab, moved.publicAddress as Address, "after changePublicIp");
      expect(await daemon.stop()).toBe(0);
    });
  }
});
