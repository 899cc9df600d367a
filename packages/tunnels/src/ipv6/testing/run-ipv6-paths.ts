/**
 * Lab fixture: the tunnels' IPv6 paths with their real parts (`ip`, `ss`, the portmapper's keeper and
 * router search) inside a lab's LAN namespace (`ip netns exec <lan> node --import tsx run-ipv6-paths.ts
 * '<json>'`), for one tunnel whose target is loopback. Prints the tunnel's view as one JSON line per
 * change. Lines on stdin: "open <port>" opens the tunnel on that downloader port, "stop-tunnel" stops
 * it, "off" turns upnp off by a reload; SIGTERM stops everything as the daemon does, then it exits.
 */
import { createInterface } from "node:readline";
import type { Logger } from "@autostun/plugins-api";
import { findPinholeGateway, PinholeKeeper } from "@autostun/portmapper";
import { createCommandRunner } from "@autostun/probes";
import type { TunnelState } from "@autostun/relay";
import { createHostIpv6Reader } from "../host-ipv6.js";
import { TunnelIpv6Paths } from "../tunnel-ipv6-paths.js";

const { leaseSeconds } = JSON.parse(process.argv[2] ?? "{}") as { leaseSeconds: number };
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

const listeners = new Set<() => void>();
const status = { state: "OPENING" as TunnelState, reason: "" };
let port = 0;
const set = (state: TunnelState) => {
  status.state = state;
  for (const listener of listeners) listener();
};

const paths: TunnelIpv6Paths = new TunnelIpv6Paths({
  upnp: { enabled: true, leaseSeconds },
  logger: quiet,
  changed: () => print({ kind: "view", view: paths.status("qb") ?? null }),
  host: createHostIpv6Reader(createCommandRunner()),
  keeper: (options) => new PinholeKeeper({ ...options, retrySeconds: 1 }),
  find: findPinholeGateway,
});
paths.follow("qb", {
  tunnel: {
    get status() {
      return status as never;
    },
    onChange(listener) {
      listeners.add(listener);
      return { dispose: () => void listeners.delete(listener) };
    },
  },
  port: () => port,
  target: { host: "127.0.0.1", scope: "loopback" },
  udp: true,
});

let stopping = false;
process.once("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  void paths.stop().then(() => {
    print({ kind: "stopped", view: paths.status("qb") ?? null });
    process.exit(0);
  });
});
createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, value] = line.trim().split(" ");
  if (command === "open") {
    port = Number(value);
    // A moved port comes with a recovery, as a tunnel's does.
    if (status.state === "OPEN") set("RECOVERING");
    set("OPEN");
  } else if (command === "stop-tunnel") set("STOPPED");
  else if (command === "off")
    void paths.reconfigure({ enabled: false, leaseSeconds }).then(() => print({ kind: "off" }));
});
