import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  infoHashOf,
  tinyTorrent,
  writeQbittorrentProfile,
  writeTransmissionSettings,
} from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";
import { createTestLab } from "@autostun/netlab/testing";
import { describe, expect, test } from "vitest";
import { labConfig, startKeepalive } from "../lab/testing/lab-services.js";
import { LanDaemon } from "../lab/testing/lan-daemon.js";

/**
 * The proof that a tunnel is worth having: a peer on the internet completes a BitTorrent handshake
 * (BEP 3) with the user's real client through the tunnel's public address. `autostun serve` runs in the
 * LAN namespace of a NAT1 lab beside qbittorrent-nox and transmission-daemon (Debian), each with one
 * torrent loaded; each tunnel pushes its public port to its client. A WAN address sends the handshake
 * with the torrent's info-hash and must get the client's handshake back with the same info-hash — once
 * the tunnels are open, and again after the router lost every mapping.
 */

const run = promisify(execFile);
const PEER = fileURLToPath(
  new URL("../../../../packages/downloaders/src/testing/bt-handshake-peer.ts", import.meta.url),
);
const QB_PASSWORD = "lab-qbt-password";
const TR_PASSWORD = "lab-tr-password";

type Row = {
  id: string;
  state: string;
  recoveryCount: number;
  publicAddress: { ip: string; port: number } | null;
  downloader: { state: string; verifiedPort: number | null; error: string | null } | null;
};
const TUNNELS = `{ tunnels { id state recoveryCount publicAddress { ip port } downloader { state verifiedPort error } } }`;

type Outcome = {
  answer?: { protocol: string; reserved: string; infoHash: string; peerId: string };
  error?: string;
};

/** qbittorrent-nox loads the torrent given on its command line; transmission-daemon from its watch folder. */
async function startClients(lab: Lab, torrent: Buffer): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "autostun-bt-"));
  const file = join(dir, "lab.torrent");
  writeFileSync(file, torrent);
  const save = mkdtempSync(join(tmpdir(), "autostun-bt-data-"));
  const profile = writeQbittorrentProfile({
    webUiPort: 8080,
    webUiAddress: "127.0.0.1",
    password: QB_PASSWORD,
    peerPort: 6881,
    savePath: save,
  });
  lab.spawn("lan", "qbittorrent-nox", [
    `--profile=${profile}`,
    `--save-path=${save}`,
    "--skip-dialog=true",
    file,
  ]);

  const watch = mkdtempSync(join(tmpdir(), "autostun-bt-watch-"));
  writeFileSync(join(watch, "lab.torrent"), torrent);
  const transmission = writeTransmissionSettings({
    rpcPort: 9091,
    password: TR_PASSWORD,
    watchDir: watch,
    downloadDir: save,
  });
  lab.spawn("lan", "transmission-daemon", ["-f", "-g", transmission]);
  await lab.waitForListening("lan", { tcp: ["127.0.0.1:8080", "127.0.0.1:9091"] }, 30_000);
}

/** One handshake from a WAN address of the lab to the public address, by a peer process in WAN. */
async function handshake(lab: Lab, from: string, to: { ip: string; port: number }, infoHash: Buffer) {
  const request = { host: to.ip, port: to.port, infoHash: infoHash.toString("hex"), localAddress: from };
  const { stdout } = await run("ip", [
    "netns",
    "exec",
    lab.namespaces.wan,
    process.execPath,
    "--import",
    import.meta.resolve("tsx"),
    PEER,
    JSON.stringify(request),
  ]);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Outcome;
}

/**
 * Both tunnels open and each client verified on the public port peers dial; after a reset on a remapping
 * router, only once each tunnel recovered onto a new public port and pushed it.
 */
const settled = (rows: Row[], before?: Row[]) =>
  rows.length === 2 &&
  rows.every((row) => {
    const old = before?.find((b) => b.id === row.id);
    return (
      row.state === "OPEN" &&
      row.publicAddress !== null &&
      row.downloader?.state === "VERIFIED" &&
      row.downloader.verifiedPort === row.publicAddress.port &&
      (old === undefined ||
        (row.recoveryCount > old.recoveryCount && old.publicAddress?.port !== row.publicAddress.port))
    );
  });

describe("a WAN peer's BitTorrent handshake reaches the real client through the tunnel", () => {
  test.each([
    { router: "remapping", portPreserving: false },
    { router: "port-preserving", portPreserving: true },
  ])(
    "qbittorrent-nox and transmission-daemon behind a $router NAT1 router, before and after it loses its mappings",
    {
      timeout: 240_000,
    },
    async ({ portPreserving }) => {
      const lab = await createTestLab({ nat: "NAT1", portPreserving, stun: "ours" });
      const keepalive = await startKeepalive(lab);
      const torrent = tinyTorrent("http://127.0.0.1:1/announce");
      const infoHash = infoHashOf(torrent);
      await startClients(lab, torrent);
      const config = await lab.writeConfig(
        labConfig(keepalive, {
          tunnels: [
            {
              id: "qb",
              localPort: 40_611,
              target: "127.0.0.1:6881",
              forward: "userspace",
              downloader: {
                kind: "qbittorrent",
                url: "http://127.0.0.1:8080",
                username: "admin",
                password: QB_PASSWORD,
              },
            },
            {
              id: "tr",
              localPort: 40_612,
              target: "127.0.0.1:51413",
              forward: "userspace",
              downloader: {
                kind: "transmission",
                url: "http://127.0.0.1:9091",
                username: "admin",
                password: TR_PASSWORD,
              },
            },
          ],
        }),
      );
      const daemon = LanDaemon.start(lab, config);
      try {
        const url = await daemon.ready();
        const peerIp = await lab.addWanAddress();
        /**
         * A handshake to `to`, tried again for up to 60 s until the client answers, as a peer retries: the
         * clients load their torrent (qBittorrent from its command line, Transmission from its watch
         * folder) beside the start-up our push waits for, and a port-preserving router that lost its
         * mappings maps the port again only on the kept-alive connection's next packet.
         */
        const answeredHandshake = async (to: { ip: string; port: number }) => {
          const deadline = Date.now() + 60_000;
          for (;;) {
            const outcome = await handshake(lab, peerIp, to, infoHash);
            if (outcome.answer || Date.now() > deadline) return outcome;
            await sleep(1_000);
          }
        };
        const expectHandshakes = async (rows: Row[]) => {
          for (const row of rows) {
            const outcome = await answeredHandshake(row.publicAddress as { ip: string; port: number });
            expect(outcome, `${row.id} via ${JSON.stringify(row.publicAddress)}`).toMatchObject({
              answer: {
                protocol: "BitTorrent protocol",
                infoHash: infoHash.toString("hex"),
                peerId: expect.stringMatching(row.id === "qb" ? /^-qB/ : /^-TR/),
              },
            });
          }
        };

        const first = await daemon.until<{ tunnels: Row[] }>(
          url,
          TUNNELS,
          (d) => settled(d.tunnels),
          120_000,
        );
        for (const row of first.tunnels) expect(row.publicAddress?.ip).toBe(lab.publicIp);
        await expectHandshakes(first.tunnels);
        // The client answers for the torrent it has, not for any handshake: another info-hash gets none.
        const stranger = await handshake(
          lab,
          peerIp,
          first.tunnels[0]?.publicAddress as never,
          Buffer.alloc(20, 7),
        );
        expect(stranger.answer).toBeUndefined();

        // The router forgets every mapping. A remapping router gives new public ports: each tunnel must
        // recover and push its new port. A port-preserving one maps the same ports again as soon as the
        // kept-alive connections send (conntrack picks them up mid-stream), so the addresses stay.
        await lab.resetMappings();
        if (portPreserving) {
          await daemon.until<{ tunnels: Row[] }>(url, TUNNELS, (d) => settled(d.tunnels), 120_000);
          for (const row of first.tunnels) {
            // The mapping comes back with the next keep-alive; until then the router refuses inbound.
            const outcome = await answeredHandshake(row.publicAddress as { ip: string; port: number });
            expect(outcome, `${row.id} after the reset`).toMatchObject({
              answer: { infoHash: infoHash.toString("hex") },
            });
          }
        } else {
          const after = await daemon.until<{ tunnels: Row[] }>(
            url,
            TUNNELS,
            (d) => settled(d.tunnels, first.tunnels),
            120_000,
          );
          await expectHandshakes(after.tunnels);
        }
      } finally {
        await daemon.stop();
      }
    },
  );
});
