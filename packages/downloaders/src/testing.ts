/** Test helpers other workspaces' lab suites use: real clients in namespaces of their own. */

export { exchangeHandshake, handshakeBytes, infoHashOf, parseHandshake } from "./testing/bt-handshake.js";
export { DownloaderNamespace } from "./testing/downloader-namespace.js";
export { qbittorrentPasswordHash, writeQbittorrentProfile } from "./testing/qbittorrent-profile.js";
export { tinyTorrent } from "./testing/tiny-torrent.js";
