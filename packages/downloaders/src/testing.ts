/** Test helpers other workspaces' lab suites use: real clients in namespaces of their own. */

export {
  type Aria2Options,
  type Aria2Setup,
  aria2RestartHook,
  aria2Setup,
  recordAria2Pid,
} from "./testing/aria2-setup.js";
export { exchangeHandshake, handshakeBytes, infoHashOf, parseHandshake } from "./testing/bt-handshake.js";
export {
  DELUGE_WEB_PASSWORD,
  delugedArgs,
  delugeWebArgs,
  writeDelugeConfig,
} from "./testing/deluge-config.js";
export { DownloaderNamespace } from "./testing/downloader-namespace.js";
export { type HostLink, linkHostTo } from "./testing/host-link.js";
export { qbittorrentPasswordHash, writeQbittorrentProfile } from "./testing/qbittorrent-profile.js";
export { SwarmPeer, type SwarmPeerOptions } from "./testing/swarm-peer.js";
export { tinyTorrent } from "./testing/tiny-torrent.js";
export {
  type Bencoded,
  bencode,
  type SeedTorrent,
  type SeedTorrentOptions,
  writeSeedTorrent,
} from "./testing/torrent-file.js";
export {
  type TransmissionSettingsOptions,
  writeTransmissionSettings,
} from "./testing/transmission-settings.js";
