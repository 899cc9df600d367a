import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Downloaders,
  type HostInfo,
  Services,
  type TunnelPorts,
  type UpnpGateway,
} from "@autostun/plugins-api";
import { createCommandRunner } from "../commands/command-runner.js";
import { createSystemFiles } from "../files/system-files.js";
import { createHostInfo } from "../host/host-info.js";
import { createNetworkInfo } from "../host/network-info.js";
import {
  createReplayCommandRunner,
  type RecordedCommand,
  type ReplayCommandRunner,
} from "./replay-command-runner.js";

/** Services of a recorded system, plus the replaying runner so a test can see what was run. */
export interface FixtureServices {
  services: Map<symbol, unknown>;
  runner: ReplayCommandRunner;
}

interface CommandFileEntry extends RecordedCommand {
  /** Output kept in a sibling file (long rulesets), relative to the fixture folder. */
  stdoutFile?: string;
}

/**
 * Builds the services of a recorded system from the fixture folder `dir`:
 * `root/` (its files, as SystemFiles), `commands.json` (recorded program outputs),
 * `host.json` (`{ platform, isPrivileged }`; default linux, root). Tunnel ports come from `ports`.
 */
export function fixtureServices(dir: string, ports: number[] = []): FixtureServices {
  if (!existsSync(dir)) throw new Error(`fixture folder ${dir} does not exist`);
  const commandsPath = join(dir, "commands.json");
  const entries: CommandFileEntry[] = existsSync(commandsPath)
    ? (JSON.parse(readFileSync(commandsPath, "utf8")) as CommandFileEntry[])
    : [];
  const recordings = entries.map(({ stdoutFile, ...entry }) =>
    stdoutFile ? { ...entry, stdout: readFileSync(join(dir, stdoutFile), "utf8") } : entry,
  );
  const hostPath = join(dir, "host.json");
  const host: HostInfo = existsSync(hostPath)
    ? (JSON.parse(readFileSync(hostPath, "utf8")) as HostInfo)
    : { platform: "linux", isPrivileged: true };
  const runner = createReplayCommandRunner(recordings);
  const services = new Map<symbol, unknown>([
    [Services.SystemFiles, createSystemFiles(join(dir, "root"))],
    [Services.CommandRunner, runner],
    [Services.HostInfo, host],
    [Services.NetworkInfo, { addresses: async () => [] }],
    [Services.TunnelPorts, staticPorts(ports)],
    [Services.TunnelActivity, { tunnels: async () => [] }],
    [Services.Downloaders, noDownloaders],
    [Services.UpnpGateway, upnpOff],
  ]);
  return { services, runner };
}

/** The real probes of this machine, optionally running commands inside a network namespace. */
export function realServices(options: { netns?: string; ports?: number[] } = {}): Map<symbol, unknown> {
  return new Map<symbol, unknown>([
    [Services.SystemFiles, createSystemFiles("/")],
    [Services.CommandRunner, createCommandRunner(options.netns ? { netns: options.netns } : {})],
    [Services.HostInfo, createHostInfo()],
    [Services.NetworkInfo, createNetworkInfo()],
    [Services.TunnelPorts, staticPorts(options.ports ?? [])],
    [Services.TunnelActivity, { tunnels: async () => [] }],
    [Services.Downloaders, noDownloaders],
    [Services.UpnpGateway, upnpOff],
  ]);
}

/** No tunnel has a downloader: `downloader.loopback` skips. */
const noDownloaders: Downloaders = {
  list: async () => [],
  probe: async (tunnelId) => {
    throw new Error(`no downloader is configured for tunnel ${tunnelId}`);
  },
  peers: async (tunnelId) => {
    throw new Error(`no downloader is configured for tunnel ${tunnelId}`);
  },
  ipv6Listening: async (tunnelId) => {
    throw new Error(`no downloader is configured for tunnel ${tunnelId}`);
  },
  listenOnIpv6: async (tunnelId) => {
    throw new Error(`no downloader is configured for tunnel ${tunnelId}`);
  },
};

/** UPnP is off in the config: `upnp.gateway` skips, and nothing is sent to any router. */
const upnpOff: UpnpGateway = { probe: async () => ({ enabled: false, found: false, tried: [] }) };

function staticPorts(ports: number[]): TunnelPorts {
  return { localPorts: async () => [...ports] };
}
