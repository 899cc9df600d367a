// Makes qBittorrent or Transmission seed a torrent through its own API, inside the lab's LAN
// namespace: uTP on (beside TCP), the peer port set (TCP and UDP), the torrent added with the folder that already
// holds its data, then waits until the client has checked the data and seeds it.
// argv: <kind> <url> <username> <password> <torrent file> <data folder> <peer port>
// Prints {"infoHash": "...", "port": N, "state": "..."} once seeding; exits 1 with the reason otherwise.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { qbittorrentSession, transmissionSession } from "./client-rpc.mjs";

const [kind, url, username, password, torrentFile, dataDir, portText] = process.argv.slice(2);
const port = Number(portText);
const torrent = await readFile(torrentFile);
const deadline = Date.now() + 60_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function qbittorrent() {
  const call = await qbittorrentSession(url, username, password);
  // bittorrent_protocol 0 is "TCP and uTP"; the ports stay fixed so a peer knows where to go.
  const preferences = { bittorrent_protocol: 0, listen_port: port, random_port: false, upnp: false };
  await call("/api/v2/app/setPreferences", {
    method: "POST",
    body: new URLSearchParams({ json: JSON.stringify(preferences) }),
  });
  const form = new FormData();
  form.append("torrents", new Blob([torrent]), basename(torrentFile));
  form.append("savepath", dataDir);
  await call("/api/v2/torrents/add", { method: "POST", body: form });
  for (;;) {
    const [row] = await (await call("/api/v2/torrents/info")).json();
    if (row && row.progress === 1 && /UP$/i.test(row.state)) {
      const prefs = await (await call("/api/v2/app/preferences")).json();
      return { infoHash: row.hash, port: prefs.listen_port, state: row.state };
    }
    if (row?.state === "error" || row?.state === "missingFiles")
      throw new Error(`qBittorrent cannot seed: ${row.state}`);
    if (Date.now() > deadline) throw new Error(`qBittorrent never seeded; last ${JSON.stringify(row)}`);
    await sleep(200);
  }
}

async function transmission() {
  const call = transmissionSession(url, username, password);
  await call("session-set", { "utp-enabled": true, "peer-port": port, "peer-port-random-on-start": false });
  // Transmission 3.00 moves its TCP listener to a new peer-port but leaves its UDP (uTP, DHT) socket on
  // the old one. Switching DHT rebinds that socket on the current peer-port; switching it back keeps
  // the user's setting.
  const { "dht-enabled": dht } = await call("session-get", { fields: ["dht-enabled"] });
  await call("session-set", { "dht-enabled": !dht });
  await call("session-set", { "dht-enabled": dht });
  const added = await call("torrent-add", {
    metainfo: torrent.toString("base64"),
    "download-dir": dataDir,
  });
  const { id, hashString } = added["torrent-added"] ?? added["torrent-duplicate"];
  // Transmission takes existing files on trust only after a check; ask for it instead of waiting.
  await call("torrent-verify", { ids: [id] });
  const fields = ["percentDone", "status", "error", "errorString"];
  for (;;) {
    const [row] = (await call("torrent-get", { ids: [id], fields })).torrents;
    // status 6 is "seeding".
    if (row.percentDone === 1 && row.status === 6) {
      const session = await call("session-get", { fields: ["peer-port", "utp-enabled"] });
      if (!session["utp-enabled"]) throw new Error("Transmission kept uTP off");
      return { infoHash: hashString, port: session["peer-port"], state: "seeding" };
    }
    if (row.error) throw new Error(`Transmission cannot seed: ${row.errorString}`);
    if (Date.now() > deadline) throw new Error(`Transmission never seeded; last ${JSON.stringify(row)}`);
    await sleep(200);
  }
}

const seeders = { qbittorrent, transmission };
if (!seeders[kind]) throw new Error(`seed-client: kind must be qbittorrent or transmission; got ${kind}`);
process.stdout.write(JSON.stringify(await seeders[kind]()));
