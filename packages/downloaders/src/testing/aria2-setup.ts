import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RESTART_ARIA2 = fileURLToPath(new URL("./restart-aria2.mjs", import.meta.url));

export interface Aria2Options {
  rpcPort: number;
  /** Off keeps the RPC on loopback. */
  rpcListenAll?: boolean;
  secret?: string;
  /**
   * A torrent it downloads from the start: aria2 opens its peer port only while a BitTorrent download
   * runs.
   */
  torrent?: Buffer;
}

export interface Aria2Setup {
  /** aria2c's arguments without --listen-port, which the restart hook appends. */
  args: string[];
  dir: string;
  /** Where the pid of the running aria2c is written, for the restart hook to end it. */
  pidFile: string;
}

/** A download folder and the arguments of an aria2c with its RPC on, DHT and LPD off. */
export function aria2Setup(options: Aria2Options): Aria2Setup {
  const dir = mkdtempSync(join(tmpdir(), "autostun-aria2-"));
  const args = [
    "--enable-rpc",
    `--rpc-listen-all=${options.rpcListenAll ?? false}`,
    `--rpc-listen-port=${options.rpcPort}`,
    ...(options.secret ? [`--rpc-secret=${options.secret}`] : []),
    "--enable-dht=false",
    "--bt-enable-lpd=false",
    "--quiet=true",
    `--dir=${dir}`,
  ];
  if (options.torrent) {
    const file = join(dir, "lab.torrent");
    writeFileSync(file, options.torrent);
    args.push(file);
  }
  return { args, dir, pidFile: join(dir, "aria2.pid") };
}

/** Notes the pid of the aria2c just started, for the restart hook. */
export function recordAria2Pid(setup: Aria2Setup, pid: number | undefined): void {
  writeFileSync(setup.pidFile, String(pid));
}

/**
 * The restart hook a user would configure for aria2 (standing in for `systemctl restart aria2`): ends
 * the aria2c in `namespace` and starts it with the pushed port once its RPC at `rpcHost` answers.
 */
export function aria2RestartHook(
  setup: Aria2Setup,
  namespace: string,
  rpcHost: string,
  rpcPort: number,
): string[] {
  return [process.execPath, RESTART_ARIA2, namespace, setup.pidFile, rpcHost, String(rpcPort), ...setup.args];
}
