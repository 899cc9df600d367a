import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "@autostun/netlab";
import { writeMmdb } from "../../../../packages/relay/src/testing/mmdb-writer.js";
import { LanDaemon } from "../../../server/src/lab/testing/lan-daemon.js";

// A NAT1 lab with the daemon in its LAN namespace, one configured tunnel, a GeoIP database built by
// the test, and chromium started inside the same namespace: the browser reaches the daemon's
// loopback API there, and nothing of the test leaves the namespaces the lab made.

/** Where peers are forwarded: an echo service on the LAN host's loopback. */
export const ECHO = "127.0.0.1:7000";
export const LOCAL_PORT = 40_666;
const KEEPALIVE_PORT = 8_080;

/** What the test's GeoIP data says about the lab's WAN network (88.77.66.0/24). */
export const PEER_GEO = { country: "DE", countryName: "Germany", city: "Berlin", asn: 64_500 } as const;
/** A network listed in the ban-list file, to see the file's entries on the bans page. */
export const FILE_BAN = "203.0.113.0/24";

export interface DashboardLab {
  lab: Lab;
  configFile: string;
  /** The ban-list file of the config, listing {@link FILE_BAN}. */
  banFile: string;
  daemon: LanDaemon;
  /** The console's URL (also the origin of its GraphQL API), as the browser in the LAN sees it. */
  url: string;
  /** Where the daemon answers GraphQL, for requests the test makes itself. */
  api: string;
  /** Stops the daemon and starts it again on the same config (same data folder and tunnel). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startServices(lab: Lab): Promise<string> {
  const ip = lab.wanServerIps.primary;
  const script = `const s=require("node:http").createServer((q,r)=>r.end());s.keepAliveTimeout=0;s.listen(${KEEPALIVE_PORT},"${ip}")`;
  lab.spawn("wan", process.execPath, ["-e", script]).stdout?.resume();
  lab.spawn("lan", "socat", [`TCP4-LISTEN:7000,bind=127.0.0.1,reuseaddr,fork`, "EXEC:cat"]);
  await lab.waitForListening("wan", { tcp: [`${ip}:${KEEPALIVE_PORT}`] });
  await lab.waitForListening("lan", { tcp: [ECHO] });
  return `${ip}:${KEEPALIVE_PORT}`;
}

/** City and ASN files for the lab's WAN network, in the format of GeoLite2-City and GeoLite2-ASN. */
export async function writeGeoDatabases(dir: string): Promise<{ city: string; asn: string }> {
  const network = { network: "88.77.66.0", prefix: 24 };
  const city = join(dir, "city.mmdb");
  const asn = join(dir, "asn.mmdb");
  await writeFile(
    city,
    writeMmdb("GeoLite2-City", [
      {
        ...network,
        data: { country: { iso_code: PEER_GEO.country }, city: { names: { en: PEER_GEO.city } } },
      },
    ]),
  );
  await writeFile(
    asn,
    writeMmdb("GeoLite2-ASN", [
      { ...network, data: { autonomous_system_number: PEER_GEO.asn, autonomous_system_organization: "Lab" } },
    ]),
  );
  return { city, asn };
}

/** Starts the daemon in the lab's LAN; `pluginsDir` adds third-party checks (e.g. one that breaks). */
export async function startDashboardLab(
  lab: Lab,
  options: { pluginsDir?: string } = {},
): Promise<DashboardLab> {
  const dir = await mkdtemp(join(tmpdir(), "autostun-console-lab-"));
  const keepalive = await startServices(lab);
  const geoip = await writeGeoDatabases(dir);
  const banFile = join(dir, "bans.txt");
  await writeFile(banFile, `# networks the user banned by hand\n${FILE_BAN}  # test network\n`);
  const configFile = await lab.writeConfig({
    api: { listen: "127.0.0.1:7878" },
    keepalive: { target: keepalive, intervalSeconds: 10 },
    plugins: { dirs: options.pluginsDir ? [options.pluginsDir] : [] },
    geoip,
    bans: { file: banFile },
    tunnels: [{ id: "lab", localPort: LOCAL_PORT, target: ECHO, forward: "userspace" }],
  });
  let daemon = LanDaemon.start(lab, configFile);
  const api = await daemon.ready();
  const running: DashboardLab = {
    lab,
    configFile,
    banFile,
    daemon,
    url: api.replace(/graphql$/, ""),
    api,
    async restart() {
      await daemon.stop();
      daemon = LanDaemon.start(lab, configFile);
      running.daemon = daemon;
      await daemon.ready();
    },
    async close() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return running;
}

/** Waits until the daemon reports the lab tunnel OPEN and returns its public address. */
export async function waitForOpenTunnel(running: DashboardLab): Promise<{ ip: string; port: number }> {
  type Answer = { tunnels: { state: string; publicAddress: { ip: string; port: number } | null }[] };
  const open = await running.daemon.until<Answer>(
    running.api,
    "{ tunnels { state publicAddress { ip port } } }",
    (data) => data.tunnels[0]?.state === "OPEN",
  );
  return open.tunnels[0]?.publicAddress as { ip: string; port: number };
}
