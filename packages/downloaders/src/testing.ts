/** Test helpers other workspaces' lab suites use: real clients in namespaces of their own. */
export { DownloaderNamespace } from "./testing/downloader-namespace.js";
export { qbittorrentPasswordHash, writeQbittorrentProfile } from "./testing/qbittorrent-profile.js";
export { tinyTorrent } from "./testing/tiny-torrent.js";
