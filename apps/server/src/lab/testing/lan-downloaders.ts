import { fileURLToPath } from "node:url";
import {
  aria2RestartHook,
  aria2Setup,
  DELUGE_WEB_PASSWORD,
  delugedArgs,
  delugeWebArgs,
  recordAria2Pid,
  writeDelugeConfig,
  writeQbittorrentProfile,
  writeTransmissionSettings,
} from "@autostun/downloaders/testing";
import type { Lab } from "@autostun/netlab";

/**
 * The real BitTorrent clients from Debian, started inside a lab's LAN namespace beside the daemon, each
 * with its API on 127.0.0.1 and auth on, and a way to ask each one through its own API which peer port
 * it uses and whether something accepts connections there.
 */

const READ_PORT = fileURLToPath(new URL("./read-client-port.mjs", import.meta.url));

export interface LanClient {
  kind: "qbittorrent" | "transmission" | "deluge" | "aria2";
  url: string;
  username: string;
  password: string;
}

/** A tunnel as the downloader lab tests watch it: where it listens and what its client took. */
export type PushedTunnel = {
  id: string;
  state: string;
  path: string;
  localPort: number | null;
  listenPort: number | null;
  publicAddress: { ip: string; port: number } | null;
  downloader: {
    state: string;
    verifiedPort: number | null;
    errorKind: string | null;
    error: string | null;
  } | null;
};

/** The GraphQL selection of {@link PushedTunnel}. */
export const PUSHED_TUNNEL_FIELDS =
  "id state path localPort listenPort publicAddress { ip port } downloader { state verifiedPort errorKind error }";

/** A tunnel's `downloader` settings for `client`, as a user writes them. */
export function downloaderSettings(client: LanClient) {
  return { kind: client.kind, url: client.url, username: client.username, password: client.password };
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
  const profile = writeQbittorrentProfile({
    webUiPort: webPort,
    webUiAddress: "127.0.0.1",
    password,
    peerPort: 6881,
  });
  lab.spawn("lan", "qbittorrent-nox", [`--profile=${profile}`]).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${webPort}`] }, 30_000);
  return { kind: "qbittorrent", url: `http://127.0.0.1:${webPort}`, username: "admin", password };
}

/** transmission-daemon with its RPC on 127.0.0.1:`rpcPort`, Basic auth on. */
export async function startTransmission(lab: Lab, rpcPort: number, password: string): Promise<LanClient> {
  const dir = writeTransmissionSettings({ rpcPort, password });
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
  const dir = writeDelugeConfig();
  lab.spawn("lan", "deluged", delugedArgs(dir, daemonPort)).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${daemonPort}`] }, 30_000);
  const web = lab.spawn("lan", "deluge-web", delugeWebArgs(dir, webPort));
  web.stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${webPort}`] }, 30_000);
  return { kind: "deluge", url: `http://127.0.0.1:${webPort}`, username: "", password: DELUGE_WEB_PASSWORD };
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
  const setup = aria2Setup({ rpcPort, secret, torrent });
  const first = lab.spawn("lan", "aria2c", [...setup.args, `--listen-port=${firstPort}`]);
  first.stdout?.resume();
  recordAria2Pid(setup, first.pid);
  await lab.waitForListening("lan", { tcp: [`127.0.0.1:${rpcPort}`] }, 30_000);
  return {
    kind: "aria2",
    url: `http://127.0.0.1:${rpcPort}/jsonrpc`,
    username: "",
    password: secret,
    restartHook: aria2RestartHook(setup, lab.namespaces.lan, "127.0.0.1", rpcPort),
  };
}

const SEED = fileURLToPath(new URL("./seed-client.mjs", import.meta.url));

/** What a client said once it seeds: the torrent's info hash and the peer port it listens on. */
export interface Seeding {
  infoHash: string;
  port: number;
  state: string;
}

/**
 * Makes qBittorrent or Transmission seed `torrentFile` through its own API: uTP on beside TCP, peer
 * port `peerPort`, the torrent added with `dataDir` (which already holds the data) as its folder.
 * Transmission 3.00 leaves its UDP socket behind on a new peer-port; this moves it too (see
 * seed-client.mjs), as the daemon's push must.
 * Resolves once the client has checked the data and seeds.
 */
export async function seedWith(
  lab: Lab,
  client: LanClient,
  torrentFile: string,
  dataDir: string,
  peerPort: number,
): Promise<Seeding> {
  if (client.kind !== "qbittorrent" && client.kind !== "transmission")
    throw new Error(`seedWith: only qbittorrent and transmission are wired; got ${client.kind}`);
  const args = [SEED, client.kind, client.url, client.username, client.password, torrentFile, dataDir];
  const result = await lab.exec("lan", process.execPath, [...args, String(peerPort)], { timeoutMs: 90_000 });
  if (result.code !== 0) throw new Error(`${client.kind} did not seed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout) as Seeding;
}
