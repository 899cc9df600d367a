import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { qbittorrentPasswordHash } from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";

/**
 * The real BitTorrent clients from Debian, started inside a lab's LAN namespace beside the daemon, each
 * with its API on 127.0.0.1 and auth on, and a way to ask each one through its own API which peer port
 * it uses and whether something accepts connections there.
 */

const READ_PORT = fileURLToPath(new URL("./read-client-port.mjs", import.meta.url));
const RESTART_ARIA2 = fileURLToPath(
  new URL("../../../../../packages/downloaders/src/testing/restart-aria2.mjs", import.meta.url),
);

export interface LanClient {
  kind: "qbittorrent" | "transmission" | "deluge" | "aria2";
  url: string;
  username: string;
  password: string;
}

/** What a client says through its own API, and whether its peer port answers from the LAN host. */
export interface ClientPort {
  port: number;
  listening: boolean;
}

export async function readClientPort(lab: Lab, client: LanClient, probe?: number): Promise<ClientPort> {
  const args = [READ_PORT, client.kind, client.url, client.username, client.password];
  if (probe !== undefined) args.push(String(probe));
  const result = await lab.exec("lan", process.execPath, args, { timeoutMs: 20_000 });
  if (result.code !== 0) throw new Error(`asking ${client.kind} for its port failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ClientPort;
}

/** qbittorrent-nox with its Web UI on 127.0.0.1:`webPort`; auth stays on even from loopback. */
export async function startQbittorrent(lab: Lab, webPort: number, password: string): Promise<LanClient> {
  const profile = mkdtempSync(join(tmpdir(), "autostun-lab-qbt-"));
  const config = join(profile, "qBittorrent", "config");
  mkdirSync(config, { recursive: true });
  const lines = [
    "[LegalNotice]",
    "Accepted=true",
    "[BitTorrent]",
    "Session\\Port=6881",
    "Session\\DHTEnabled=false",
    "Session\\LSDEnabled=false",
    "[Preferences]",
    "WebUI\\Address=127.0.0.1",
    `WebUI\\Port=${webPort}`,
    "WebUI\\Username=admin",
    `WebUI\\Password_PBKDF2="${qbittorrentPasswordHash(password)}"`,
    "WebUI\\LocalHostAuth=true",
    "Connection\\UPnP=false",
    "",
  ];
  writeFileSync(join(config, "qBittorrent.conf"), lines.join("\n"));
  lab.spawn("lan", "qbittorrent-nox", [`--profile=${profile}`]).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${webPort}`] }, 30_000);
  return { kind: "qbittorrent", url: `http://127.0.0.1:${webPort}`, username: "admin", password };
}

/** transmission-daemon with its RPC on 127.0.0.1:`rpcPort`, Basic auth on. */
export async function startTransmission(lab: Lab, rpcPort: number, password: string): Promise<LanClient> {
  const dir = mkdtempSync(join(tmpdir(), "autostun-lab-tr-"));
  const settings = {
    "rpc-enabled": true,
    "rpc-bind-address": "127.0.0.1",
    "rpc-port": rpcPort,
    "rpc-authentication-required": true,
    "rpc-username": "admin",
    "rpc-password": password,
    "peer-port": 51413,
    "peer-port-random-on-start": false,
    "dht-enabled": false,
    "lpd-enabled": false,
    "port-forwarding-enabled": false,
    "download-dir": dir,
  };
  writeFileSync(join(dir, "settings.json"), JSON.stringify(settings));
  lab.spawn("lan", "transmission-daemon", ["-f", "-g", dir]).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${rpcPort}`] }, 30_000);
  return {
    kind: "transmission",
    url: `http://127.0.0.1:${rpcPort}/transmission/rpc`,
    username: "admin",
    password,
  };
}

/** deluged and deluge-web (its Web UI on `webPort`, password "deluge" until changed). */
export async function startDeluge(lab: Lab, webPort: number, daemonPort: number): Promise<LanClient> {
  const dir = mkdtempSync(join(tmpdir(), "autostun-lab-deluge-"));
  writeFileSync(join(dir, "auth"), "localclient:lab-daemon-secret:10\n");
  // Python 3.11 breaks deluge's logging below error, so both run with -L error.
  const daemonArgs = ["-d", "-c", dir, "-L", "error", "-p", String(daemonPort), "-u", "127.0.0.1"];
  lab.spawn("lan", "deluged", daemonArgs).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${daemonPort}`] }, 30_000);
  const web = lab.spawn("lan", "deluge-web", ["-d", "-c", dir, "-L", "error", "-p", String(webPort)]);
  web.stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${webPort}`] }, 30_000);
  return { kind: "deluge", url: `http://127.0.0.1:${webPort}`, username: "", password: "deluge" };
}

/**
 * aria2c with a tiny torrent running (it opens its peer port only while a BitTorrent download runs), and
 * the restart hook a user would configure for it: ends aria2c and starts it with the pushed port.
 */
export async function startAria2(
  lab: Lab,
  rpcPort: number,
  firstPort: number,
  secret: string,
  torrent: Buffer,
): Promise<LanClient & { restartHook: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "autostun-lab-aria2-"));
  const torrentFile = join(dir, "lab.torrent");
  writeFileSync(torrentFile, torrent);
  const args = [
    "--enable-rpc",
    `--rpc-listen-port=${rpcPort}`,
    `--rpc-secret=${secret}`,
    "--enable-dht=false",
    "--bt-enable-lpd=false",
    "--quiet=true",
    `--dir=${dir}`,
    torrentFile,
  ];
  const pidFile = join(dir, "aria2.pid");
  const first = lab.spawn("lan", "aria2c", [...args, `--listen-port=${firstPort}`]);
  first.stdout?.resume();
  writeFileSync(pidFile, String(first.pid));
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${rpcPort}`] }, 30_000);
  return {
    kind: "aria2",
    url: `http://127.0.0.1:${rpcPort}/jsonrpc`,
    username: "",
    password: secret,
    restartHook: [
      process.execPath,
      RESTART_ARIA2,
      lab.namespaces.lan,
      pidFile,
      "127.0.0.1",
      String(rpcPort),
      ...args,
    ],
  };
}
