import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TransmissionSettingsOptions {
  rpcPort: number;
  /** Where the RPC listens; default 127.0.0.1. */
  rpcAddress?: string;
  username?: string;
  password: string;
  /** The peer port it starts with. */
  peerPort?: number;
  /**
   * Off when the test reaches the RPC from outside the namespace (the host's end of a veth): the default
   * whitelist only lets loopback in.
   */
  rpcWhitelist?: boolean;
  /** DHT on; default off. Inside a namespace with no route out its bootstrap reaches nothing. */
  dht?: boolean;
  downloadDir?: string;
  /** A folder it loads every torrent dropped into. */
  watchDir?: string;
}

/**
 * A config folder for `transmission-daemon -f -g DIR` with RPC authentication on, a fixed peer port, and
 * DHT (unless asked for), LPD, peer exchange and its own port forwarding off so nothing tries to leave the lab.
 */
export function writeTransmissionSettings(options: TransmissionSettingsOptions): string {
  const dir = mkdtempSync(join(tmpdir(), "autostun-tr-"));
  const settings: Record<string, unknown> = {
    "rpc-enabled": true,
    "rpc-bind-address": options.rpcAddress ?? "127.0.0.1",
    "rpc-port": options.rpcPort,
    "rpc-authentication-required": true,
    "rpc-username": options.username ?? "admin",
    "rpc-password": options.password,
    "peer-port": options.peerPort ?? 51413,
    "peer-port-random-on-start": false,
    "dht-enabled": options.dht ?? false,
    "lpd-enabled": false,
    "pex-enabled": false,
    "port-forwarding-enabled": false,
    "download-dir": options.downloadDir ?? dir,
  };
  if (options.rpcWhitelist === false) settings["rpc-whitelist-enabled"] = false;
  if (options.watchDir) {
    settings["watch-dir-enabled"] = true;
    settings["watch-dir"] = options.watchDir;
  }
  writeFileSync(join(dir, "settings.json"), JSON.stringify(settings));
  return dir;
}
