/**
 * Lab fixture: a PinholeKeeper run inside a lab's LAN namespace (`ip netns exec <lan> node --import tsx
 * run-pinholes.ts '<json>'`), so discovery and pinholes see only the lab's home router. Prints each status
 * as one JSON line; "stop" on stdin (or SIGTERM) deletes the pinholes, prints the last status and exits.
 */
import { createInterface } from "node:readline";
import { findPinholeGateway } from "../pinholes/find-pinhole-gateway.js";
import { defaultGatewayV6 } from "../pinholes/ipv6-host.js";
import { PcpPinholeGateway } from "../pinholes/pcp-pinhole-gateway.js";
import { PinholeKeeper } from "../pinholes/pinhole-keeper.js";
import type { PinholeTransport } from "../pinholes/pinhole-types.js";

export interface RunPinholesConfig {
  address: string;
  port: number;
  leaseSeconds: number;
  transports: PinholeTransport[];
  /** "discover": UPnP over IPv6 SSDP, then PCP, as the daemon does; "pcp": PCP on the default router only. */
  via: "discover" | "pcp";
}

const config = JSON.parse(process.argv[2] ?? "{}") as RunPinholesConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const keeper = new PinholeKeeper({
  address: config.address,
  port: config.port,
  transports: config.transports,
  leaseSeconds: config.leaseSeconds,
  description: "autostun lab",
  retrySeconds: 1,
  find: async () => {
    if (config.via === "discover") return findPinholeGateway({ address: config.address });
    const router = await defaultGatewayV6();
    if (!router) return { tried: ["no IPv6 default router"] };
    return { gateway: await PcpPinholeGateway.open(router, config.address), tried: [] };
  },
  onChange: (status) => print({ kind: "status", ...status }),
});
keeper.start();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await keeper.stop();
  print({ kind: "stopped", ...keeper.status });
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "stop") void stop();
});
