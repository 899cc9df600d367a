/**
 * Records the answers the `*-ipv6.test.ts` unit tests read (`src/builtin/<client>/fixtures/`), from the
 * real Debian clients in a netlab IPv6 lab with a libtorrent peer on the WAN side connected to each over
 * IPv6. Run as root: `npx tsx packages/downloaders/src/testing/record-ipv6-fixtures.ts`. It talks to
 * each API by plain HTTP, not through the adapters, so the files hold what the client sent; it also
 * prints the listeners `ss` shows for each listening setting tried, which the adapters' comments cite.
 * The torrent's data is a fixed pattern, so its info hash is the same in every recording.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLab, type Lab } from "@autostun/netlab";
import { aria2Setup } from "./aria2-setup.js";
import { delugedArgs, delugeWebArgs, writeDelugeConfig } from "./deluge-config.js";
import { linkHostTo } from "./host-link.js";
import { writeQbittorrentProfile } from "./qbittorrent-profile.js";
import { SwarmPeer } from "./swarm-peer.js";
import { writeSeedTorrent } from "./torrent-file.js";
import { writeTransmissionSettings } from "./transmission-settings.js";

const BUILTIN = new URL("../builtin/", import.meta.url);
const PASSWORD = "lab-record-password";

function record(client: string, name: string, answer: unknown): void {
  const dir = new URL(`${client}/fixtures/`, BUILTIN);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(name, dir), `${JSON.stringify(answer, null, 2)}\n`);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

async function listeners(lab: Lab, port: number): Promise<string> {
  const shown = await lab.exec("lan", "ss", ["-tlnH", `sport = :${port}`]);
  return shown.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[3])
    .filter(Boolean)
    .join(" ");
}

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const lab = await createLab({ nat: "NAT1", stun: "none", ipv6: { firewall: false } });
const link = linkHostTo(lab.namespaces.lan);
const peers: SwarmPeer[] = [];
try {
  const dir = mkdtempSync(join(tmpdir(), "autostun-record-"));
  const seed = await writeSeedTorrent({ dir, bytes: 1 << 20 });
  const empty = mkdtempSync(join(tmpdir(), "autostun-record-empty-"));
  const qbtProfile = writeQbittorrentProfile({ webUiPort: 8080, password: PASSWORD, savePath: empty });
  lab.spawn("lan", "qbittorrent-nox", [`--profile=${qbtProfile}`]).stdout?.resume();
  const trSettings = writeTransmissionSettings({
    rpcPort: 9091,
    rpcAddress: "0.0.0.0",
    rpcWhitelist: false,
    password: PASSWORD,
    downloadDir: empty,
  });
  lab.spawn("lan", "transmission-daemon", ["-f", "-g", trSettings]).stdout?.resume();
  const delugeDir = writeDelugeConfig();
  lab.spawn("lan", "deluged", delugedArgs(delugeDir, 58846)).stdout?.resume();
  const aria2 = aria2Setup({ rpcPort: 6800, rpcListenAll: true, secret: PASSWORD, torrent: seed.torrent });
  lab.spawn("lan", "aria2c", [...aria2.args, "--listen-port=6999"]).stdout?.resume();
  await lab.waitForListening(
    "lan",
    { tcp: [`${link.ip}:8080`, `${link.ip}:9091`, "127.0.0.1:58846", `${link.ip}:6800`] },
    30_000,
  );
  lab.spawn("lan", "deluge-web", delugeWebArgs(delugeDir, 8112)).stdout?.resume();
  await lab.waitForListening("lan", { tcp: [`${link.ip}:8112`] }, 30_000);

  // qBittorrent: a session cookie, then form posts.
  const qbt = `http://${link.ip}:8080/api/v2`;
  const login = await fetch(`${qbt}/auth/login`, {
    method: "POST",
    body: new URLSearchParams({ username: "admin", password: PASSWORD }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const qbtCall = async (path: string, body?: URLSearchParams | FormData) =>
    json(
      await fetch(`${qbt}${path}`, {
        method: body ? "POST" : "GET",
        headers: { cookie },
        ...(body ? { body } : {}),
      }),
    );
  const qbtPrefs = (prefs: object) =>
    qbtCall("/app/setPreferences", new URLSearchParams({ json: JSON.stringify(prefs) }));
  const form = new FormData();
  form.append("torrents", new Blob([new Uint8Array(seed.torrent)]), "lab.torrent");
  form.append("savepath", empty);
  await qbtCall("/torrents/add", form);

  // Transmission: Basic auth and the 409 session id.
  let sessionId = "";
  const trCall = async (method: string, args: object = {}): Promise<unknown> => {
    for (let tries = 0; tries < 3; tries++) {
      const answer = await fetch(`http://${link.ip}:9091/transmission/rpc`, {
        method: "POST",
        headers: {
          "x-transmission-session-id": sessionId,
          authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`,
        },
        body: JSON.stringify({ method, arguments: args }),
      });
      if (answer.status !== 409) return json(answer);
      sessionId = answer.headers.get("x-transmission-session-id") ?? "";
    }
    throw new Error("Transmission kept answering 409");
  };
  await trCall("torrent-add", { metainfo: seed.torrent.toString("base64"), "download-dir": empty });

  // Deluge's Web UI: a session cookie and a connection to the daemon.
  let delugeCookie = "";
  let delugeId = 0;
  const delugeCall = async (method: string, params: unknown[] = []) => {
    const answer = await fetch(`http://${link.ip}:8112/json`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: delugeCookie },
      body: JSON.stringify({ method, params, id: ++delugeId }),
    });
    delugeCookie = (answer.headers.getSetCookie()[0] ?? delugeCookie).split(";")[0] ?? "";
    return (await answer.json()) as { result: unknown };
  };
  await delugeCall("auth.login", ["deluge"]);
  const hosts = (await delugeCall("web.get_hosts")).result as string[][];
  await delugeCall("web.connect", [hosts[0]?.[0]]);
  await delugeCall("core.add_torrent_file", [
    "lab.torrent",
    seed.torrent.toString("base64"),
    { download_location: empty },
  ]);
  record("deluge", "get-version.json", await delugeCall("daemon.get_version"));
  record(
    "deluge",
    "listen-interface-default.json",
    await delugeCall("core.get_config_value", ["listen_interface"]),
  );
  const delugePort = (await delugeCall("core.get_listen_port")).result as number;
  console.log(`deluge listen_interface "": ${await listeners(lab, delugePort)}`);
  // 2.0 listens on IPv4 only by default; bracketed "::" is what makes it take the IPv6 peer.
  await delugeCall("core.set_config", [{ listen_interface: "[::]" }]);
  await settle();
  console.log(`deluge listen_interface [::]: ${await listeners(lab, delugePort)}`);
  record(
    "deluge",
    "listen-interface-bracketed.json",
    await delugeCall("core.get_config_value", ["listen_interface"]),
  );

  // aria2: JSON-RPC with the secret as a token.
  const aria2Call = async (method: string, params: unknown[] = []) =>
    json(
      await fetch(`http://${link.ip}:6800/jsonrpc`, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: "rec", method, params: [`token:${PASSWORD}`, ...params] }),
      }),
    );

  // One WAN peer per client, each from its own IPv6 address.
  const v6 = lab.ipv6?.lanIp as string;
  const ports: Record<string, number> = {
    qbittorrent: 6881,
    transmission: 51413,
    aria2: 6999,
    deluge: delugePort,
  };
  await Promise.all(
    Object.entries(ports).map(async ([client, port]) => {
      const from = await lab.addWanAddress6();
      const peer = SwarmPeer.start({
        namespace: lab.namespaces.wan,
        torrentFile: seed.file,
        saveDir: mkdtempSync(join(tmpdir(), "autostun-record-peer-")),
        listen: `[${from}]:47001`,
        connect: `[${v6}]:${port}`,
        timeoutSeconds: 120,
      });
      peers.push(peer);
      await peer.connectedTo(`[${v6}]:${port}`, 30_000);
      console.log(`${client}: peer ${from} connected`);
    }),
  );

  const info = (await qbtCall("/torrents/info")) as { hash: string }[];
  record("qbittorrent", "torrents-info.json", info);
  record("qbittorrent", "sync-torrent-peers.json", await qbtCall(`/sync/torrentPeers?hash=${info[0]?.hash}`));
  record(
    "transmission",
    "torrent-get-peers.json",
    await trCall("torrent-get", { fields: ["hashString", "peers"] }),
  );
  record("transmission", "session-get.json", await trCall("session-get"));
  record(
    "transmission",
    "session-set-bind-address-ipv6.json",
    await trCall("session-set", { "bind-address-ipv6": "::1" }),
  );
  record(
    "deluge",
    "get-torrents-status-peers.json",
    await delugeCall("core.get_torrents_status", [{}, ["hash", "peers"]]),
  );
  const active = (await aria2Call("aria2.tellActive", [["gid", "infoHash"]])) as {
    result: { gid: string }[];
  };
  record("aria2", "tell-active.json", active);
  record("aria2", "get-peers.json", await aria2Call("aria2.getPeers", [active.result[0]?.gid]));
  record("aria2", "get-global-option.json", await aria2Call("aria2.getGlobalOption"));
  record(
    "aria2",
    "change-global-option-disable-ipv6.json",
    await aria2Call("aria2.changeGlobalOption", [{ "disable-ipv6": "true" }]),
  );
  const after = (await aria2Call("aria2.getGlobalOption")) as { result: Record<string, string> };
  console.log(
    `aria2 disable-ipv6 after the change: ${after.result["disable-ipv6"]}; ${await listeners(lab, 6999)}`,
  );

  record("qbittorrent", "preferences.json", await qbtCall("/app/preferences"));
  for (const [networkInterface, address] of [
    ["", "0.0.0.0"],
    ["", "::"],
    ["", ""],
    ["eth0", ""],
    ["eth0", "0.0.0.0"],
  ]) {
    await qbtPrefs({ current_network_interface: networkInterface, current_interface_address: address });
    await settle();
    console.log(
      `qbittorrent interface "${networkInterface}" address "${address}": ${await listeners(lab, 6881)}`,
    );
  }
  record("qbittorrent", "preferences-eth0-ipv4.json", await qbtCall("/app/preferences"));
} finally {
  await Promise.all(peers.map((peer) => peer.stop()));
  link.dispose();
  await lab.teardown();
}
