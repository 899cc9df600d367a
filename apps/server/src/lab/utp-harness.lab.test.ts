import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSeedTorrent } from "@autostun/downloaders/testing";
import { createTestLab } from "@autostun/netlab/testing";
import { expect, test } from "vitest";
import { requireRoot } from "../testing/require-root.js";
import { type LanClient, seedWith, startQbittorrent, startTransmission } from "./testing/lan-downloaders.js";
import { downloadOverUtp } from "./testing/utp-peer.js";

/**
 * The proof harness of issue 17 checked with real parts and no tunnel: in an OPEN lab the LAN host
 * holds a public address, so a WAN peer reaches qBittorrent and Transmission there directly. The peer
 * is libtorrent with TCP off, so a finished download with every connection flagged uTP by libtorrent
 * shows that both clients seed over uTP and that the harness tells uTP from TCP. The daemon-level tests
 * use the same parts through a tunnel's public address.
 */

requireRoot("it builds network namespaces and runs BitTorrent clients inside them");

const MiB = 1024 * 1024;

test("a libtorrent peer with TCP off downloads over uTP from qbittorrent-nox and transmission-daemon", {
  timeout: 300_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "OPEN", stun: "none" }, context);
  const dataDir = mkdtempSync(join(tmpdir(), "autostun-utp-seed-"));
  context.onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
  const seed = await writeSeedTorrent({
    dir: dataDir,
    bytes: 4 * MiB,
    pieceLength: 256 * 1024,
    random: true,
  });
  const [qb, tr] = await Promise.all([
    startQbittorrent(lab, 18_181, "lab-qbt-utp"),
    startTransmission(lab, 19_193, "lab-tr-utp"),
  ]);
  const seeders: [LanClient, number][] = [
    [qb, 46_881],
    [tr, 46_882],
  ];

  for (const [client, port] of seeders) {
    const seeding = await seedWith(lab, client, seed.file, dataDir, port);
    expect(seeding, client.kind).toMatchObject({ infoHash: seed.infoHash, port });
    const from = `${lab.lanIp}:${port}`;
    const got = await downloadOverUtp(lab.namespaces.wan, seed, await lab.addWanAddress(), from);
    expect(got.done.bytes, client.kind).toBe(seed.bytes);
    expect(got.intact, client.kind).toBe(true);
    expect(got.peers, client.kind).toContain(from);
    expect(got.utpOnly, `${client.kind}: a connection was not uTP: ${JSON.stringify(got.done.peers)}`).toBe(
      true,
    );
  }
});
