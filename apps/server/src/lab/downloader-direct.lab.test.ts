import { chmodSync, chownSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createTestLab } from "@autostun/netlab/testing";
import { expect, test } from "vitest";
import { labConfig, startKeepalive } from "./testing/lab-services.js";
import { LanDaemon } from "./testing/lan-daemon.js";
import {
  downloaderSettings,
  type LanClient,
  PUSHED_TUNNEL_FIELDS,
  type PushedTunnel,
  readClientPort,
  startQbittorrent,
  startTransmission,
} from "./testing/lan-downloaders.js";

/**
 * The port-preserving gateway without nftables (the daemon runs as nobody, no capabilities): the
 * public port is P, the clients run on the daemon's host, and nothing of ours may listen on P. The
 * daemon leaves P to each client (the direct-downloader path) and pushes it; a WAN peer's connection to
 * the public address then reaches the client itself. A new WAN address makes the tunnel re-punch; P
 * belongs to the client by then, so the tunnel moves to a fresh port, which is pushed in turn.
 */

type Row = PushedTunnel & { udp: { state: string; samePort: boolean; match: string | null } | null };
type Tunnels = { tunnels: Row[] };
const TUNNELS = `{ tunnels { ${PUSHED_TUNNEL_FIELDS} udp { state samePort match } } }`;

test("port-preserving NAT1, no nftables: qBittorrent and Transmission listen on P themselves, and on the fresh port after a new WAN address", {
  timeout: 400_000,
}, async (context) => {
  const lab = await createTestLab({ nat: "NAT1", portPreserving: true, stun: "ours" }, context);
  const [keepalive, qb, tr] = await Promise.all([
    startKeepalive(lab),
    startQbittorrent(lab, 18_081, "lab-qbt-direct"),
    startTransmission(lab, 19_093, "lab-tr-direct"),
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), "autostun-lab-direct-"));
  // The daemon runs as nobody: dataDir must be its own (AutoSTUN refuses a folder others may write).
  chownSync(dataDir, 65534, 65534);
  const config = await lab.writeConfig(
    labConfig(
      keepalive,
      {
        dataDir,
        tunnels: [
          { id: "qb", localPort: 42_001, target: "127.0.0.1:6881", downloader: downloaderSettings(qb) },
          { id: "tr", localPort: 42_002, target: "127.0.0.1:6881", downloader: downloaderSettings(tr) },
        ],
      },
      3,
    ),
  );
  // The lab keeps its files private to root; the daemon's user only needs to read its config.
  chmodSync(dirname(config), 0o755);
  chmodSync(config, 0o644);
  const daemon = LanDaemon.startUnprivileged(lab, config);
  const url = await daemon.ready();
  const peerIp = await lab.addWanAddress();
  const clients: [string, LanClient][] = [
    ["qb", qb],
    ["tr", tr],
  ];

  const round = async (what: string, ip: string) => {
    const data = await daemon.until<Tunnels>(
      url,
      TUNNELS,
      (d) =>
        d.tunnels.length === 2 &&
        d.tunnels.every(
          (t) =>
            t.state === "OPEN" &&
            t.publicAddress?.ip === ip &&
            t.downloader?.state === "VERIFIED" &&
            t.downloader.verifiedPort === t.publicAddress.port,
        ),
      180_000,
    );
    for (const [id, client] of clients) {
      const tunnel = data.tunnels.find((t) => t.id === id) as Row;
      const at = tunnel.publicAddress as { ip: string; port: number };
      expect(tunnel, `${id} ${what}`).toMatchObject({
        path: "DIRECT_DOWNLOADER",
        listenPort: null,
        localPort: at.port,
      });
      expect(await readClientPort(lab, client), `${id} ${what}`).toEqual({ port: at.port, listening: true });
      // The client holds UDP on P too; the daemon checked once, before the push, that the gateway keeps it.
      expect(tunnel.udp, `${id} ${what}`).toEqual({ state: "OPEN", samePort: true, match: "DOWNLOADER" });
      // Nothing of ours listens: a completed connect from the internet is the client's own accept.
      const address = `TCP4:${at.ip}:${at.port},bind=${peerIp},connect-timeout=5`;
      const connect = await lab.exec("wan", "socat", ["-u", "OPEN:/dev/null", address], {
        timeoutMs: 15_000,
      });
      expect(connect.code, `${id} ${what}: ${connect.stderr}`).toBe(0);
    }
    return data;
  };

  const opened = await round("after open", lab.publicIp);
  expect(opened.tunnels.map((t) => t.localPort).sort()).toEqual([42_001, 42_002]);
  const newIp = await lab.changePublicIp();
  const moved = await round("after a new WAN address", newIp);
  for (const tunnel of moved.tunnels) expect(tunnel.localPort).not.toBe(tunnel.id === "qb" ? 42_001 : 42_002);
  expect(await daemon.stop()).toBe(0);
});
