/**
 * Lab fixture: a PortMapper run inside a lab's LAN namespace (`ip netns exec <lan> node --import tsx
 * run-mapper.ts '<json>'`), so discovery and mapping see only the lab's home router. Prints each status
 * as one JSON line; "stop" on stdin removes the mapping, prints the last status and exits.
 */
import { createInterface } from "node:readline";
import { defaultGatewayV4 } from "../default-gateway.js";
import { findGateway } from "../find-gateway.js";
import { NatPmpGateway } from "../nat-pmp-gateway.js";
import { PcpGateway } from "../pcp-gateway.js";
import { PortMapper } from "../port-mapper.js";

export interface RunMapperConfig {
  port: number;
  leaseSeconds: number;
  /** "discover": SSDP, then PCP, then NAT-PMP, as the daemon does; "pcp" / "nat-pmp": that one only. */
  via: "discover" | "pcp" | "nat-pmp";
}

const config = JSON.parse(process.argv[2] ?? "{}") as RunMapperConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const mapper = new PortMapper({
  port: config.port,
  leaseSeconds: config.leaseSeconds,
  description: "autostun lab",
  retrySeconds: 1,
  find: async () => {
    if (config.via === "discover") return findGateway({ searchTimeoutMs: 2_000 });
    const router = await defaultGatewayV4();
    if (!router) return { gateway: undefined, tried: ["no default gateway"] };
    return {
      gateway: config.via === "pcp" ? await PcpGateway.open(router) : await NatPmpGateway.open(router),
      tried: [],
    };
  },
  onChange: (status) => print({ kind: "status", ...status }),
});
void mapper.start();
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() !== "stop") return;
  await mapper.stop();
  print({ kind: "stopped", ...mapper.status });
  process.exit(0);
});
