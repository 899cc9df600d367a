import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** qBittorrent's stored form of a Web UI password: PBKDF2-SHA512, 100000 rounds, salt and key in base64. */
export function qbittorrentPasswordHash(password: string): string {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(password, salt, 100_000, 64, "sha512");
  return `@ByteArray(${salt.toString("base64")}:${key.toString("base64")})`;
}

export interface QbittorrentProfileOptions {
  webUiPort: number;
  /** Where the Web UI listens; `*` for every address. */
  webUiAddress?: string;
  username?: string;
  password: string;
  /** The peer port it starts with. */
  peerPort?: number;
  /**
   * Off lets the Web UI be reached through a forwarder on another port (as behind a reverse proxy):
   * qBittorrent answers 401 when the Host header names a port it does not listen on.
   */
  hostHeaderValidation?: boolean;
  /** Where finished and partial downloads go. */
  savePath?: string;
}

/**
 * A profile folder for `qbittorrent-nox --profile=DIR` that starts unattended with authentication on for
 * every address (with LocalHostAuth off it takes any password from loopback), and with DHT, LSD, UPnP
 * and peer exchange off so nothing tries to leave the lab.
 */
export function writeQbittorrentProfile(options: QbittorrentProfileOptions): string {
  const profile = mkdtempSync(join(tmpdir(), "autostun-qbt-"));
  const config = join(profile, "qBittorrent", "config");
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, "qBittorrent.conf"),
    [
      "[LegalNotice]",
      "Accepted=true",
      "[BitTorrent]",
      `Session\\Port=${options.peerPort ?? 6881}`,
      "Session\\DHTEnabled=false",
      "Session\\LSDEnabled=false",
      "Session\\PeXEnabled=false",
      ...(options.savePath ? [`Session\\DefaultSavePath=${options.savePath}`] : []),
      "[Preferences]",
      `WebUI\\Address=${options.webUiAddress ?? "*"}`,
      `WebUI\\Port=${options.webUiPort}`,
      `WebUI\\Username=${options.username ?? "admin"}`,
      `WebUI\\Password_PBKDF2="${qbittorrentPasswordHash(options.password)}"`,
      "WebUI\\LocalHostAuth=true",
      ...(options.hostHeaderValidation === false ? ["WebUI\\HostHeaderValidation=false"] : []),
      "Connection\\UPnP=false",
      "",
    ].join("\n"),
  );
  return profile;
}
